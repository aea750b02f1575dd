// The hub's kiosk page script. A page left alone goes back to the start after its idle time, so the next
// visitor never finds the last one's half-typed form or Wi-Fi code; a touch or key press restarts that time.
// A paused PIN sign-in counts its seconds down. On the start page the member check-in field keeps the focus, so a
// desk scanner's keystrokes (the code, then Enter) always land in it. It writes text only, never markup.
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
const scan = document.getElementById('member-code');
if (scan) {
    // Focus that leaves to nothing (a tap on the page's background) comes back; a tap on a link or button keeps it.
    scan.addEventListener('blur', () => {
        setTimeout(() => {
            if (document.activeElement === document.body || document.activeElement === null) {
                scan.focus();
            }
        }, 0);
    });
    scan.focus();
}
