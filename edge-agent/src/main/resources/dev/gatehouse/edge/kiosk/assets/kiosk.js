// The kiosk's one script. A page left alone returns to the start after its idle time (the next visitor
// must not find the last one's half-typed form); any touch or key press starts that time again. A PIN
// lock counts down on screen. Text only, so nothing can become markup.
const main = document.getElementById('main');
const returnTo = main ? main.dataset.returnTo : '';
const idleSeconds = main ? Number.parseInt(main.dataset.returnAfter, 10) : 0;
if (returnTo && idleSeconds > 0) {
    let timer;
    const restart = () => {
        clearTimeout(timer);
        timer = setTimeout(() => window.location.assign(returnTo), idleSeconds * 1000);
    };
    ['pointerdown', 'keydown', 'input'].forEach((name) => document.addEventListener(name, restart));
    restart();
}
const countdown = document.getElementById('countdown');
if (countdown) {
    let left = Number.parseInt(countdown.dataset.seconds, 10);
    const tick = setInterval(() => {
        left -= 1;
        countdown.textContent = String(Math.max(left, 0));
        if (left <= 0) {
            clearInterval(tick);
        }
    }, 1000);
}
