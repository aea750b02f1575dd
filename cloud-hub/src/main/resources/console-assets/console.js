// The console's small script (an ES module; the page's Content-Security-Policy allows no inline script).
// - Live feed: rows rendered by the hub arrive over server-sent events and go on top of the table.
// - htmx requests carry the page's CSRF token.
// - Forms with data-confirm ask before they submit (lockdown, revoke…).

const csrf = document.querySelector('meta[name="csrf-token"]')?.content;

document.body.addEventListener('htmx:configRequest', (event) => {
  if (csrf) {
    event.detail.headers['X-CSRF-Token'] = csrf;
  }
});

document.addEventListener('submit', (event) => {
  const form = event.target;
  const question = form.getAttribute('data-confirm');
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

const feed = document.querySelector('[data-live]');
if (feed) {
  const maxRows = 50;
  const source = new EventSource(feed.getAttribute('data-live'));
  // The stream says 'ready' once the hub listens for this page; a lost connection clears it until
  // the browser has reconnected (to any replica).
  source.addEventListener('ready', () => { feed.dataset.connected = 'true'; });
  source.addEventListener('error', () => { feed.dataset.connected = 'false'; });
  source.addEventListener('access', (event) => {
    // The row is HTML the hub rendered from its template, escaped there.
    const template = document.createElement('template');
    template.innerHTML = event.data.trim();
    const row = template.content.firstElementChild;
    if (!row || row.tagName !== 'TR' || feed.querySelector(`[data-event="${CSS.escape(row.dataset.event)}"]`)) {
      return;
    }
    row.classList.add('fresh');
    feed.prepend(row);
    document.getElementById('feed-empty')?.remove();
    while (feed.rows.length > maxRows) {
      feed.deleteRow(-1);
    }
  });
}
