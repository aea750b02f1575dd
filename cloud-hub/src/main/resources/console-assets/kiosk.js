// The hub's kiosk page script. A page left alone goes back to the start after its idle time, so the next
// visitor never finds the last one's half-typed form or Wi-Fi code; a touch or key press restarts that time.
// A paused PIN sign-in counts its seconds down. It writes text only, never markup.
const page = document.getElementById('main');
const backTo = page ? page.dataset.returnTo : '';
const idle = page ? Number.parseInt(page.dataset.returnAfter, 10) : 0;
if (backTo && idle > 0) {
    let pending;
    const again = () => {
        clearTimeout(pending);
        pending = setTimeout(() => window.location.assign(backTo), idle * 1000);
    };
    for (const kind of ['pointerdown', 'keydown', 'input']) {
        document.addEventListener(kind, again);
    }
    again();
}
const counter = document.getElementById('countdown');
if (counter) {
    let remaining = Number.parseInt(counter.dataset.seconds, 10);
    const timer = setInterval(() => {
        remaining = Math.max(remaining - 1, 0);
        counter.textContent = String(remaining);
        if (remaining === 0) {
            clearInterval(timer);
        }
    }, 1000);
}
