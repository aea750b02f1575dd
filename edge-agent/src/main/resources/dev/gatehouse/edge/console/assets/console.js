// The live feed: taps and door events from the agent as server-sent events, newest first. Text only
// (textContent), so nothing the feed carries can become markup.
const list = document.getElementById('live');
if (list) {
    const state = document.getElementById('live-state');
    const source = new EventSource(list.dataset.src);
    source.addEventListener('open', () => {
        state.textContent = 'Live: new taps and door events appear below, newest first.';
    });
    source.addEventListener('message', (event) => {
        const item = document.createElement('li');
        item.textContent = event.data;
        list.prepend(item);
        while (list.children.length > 200) {
            list.lastElementChild.remove();
        }
    });
    source.addEventListener('error', () => {
        state.textContent = 'The live feed was interrupted; reconnecting…';
    });
}
