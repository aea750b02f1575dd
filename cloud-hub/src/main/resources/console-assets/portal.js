// The member portal's script (an ES module; the Content-Security-Policy allows no inline script).
// The pass: the QR image holds a token that lives about a minute, so the image is fetched anew every
// data-refresh seconds (well within that) with a visible countdown. Without JavaScript the page still
// shows a valid code when it is loaded.

const qr = document.getElementById('pass-qr');
const countdown = document.getElementById('pass-countdown');

if (qr) {
  const every = Number.parseInt(qr.dataset.refresh, 10);
  const template = countdown?.dataset.template ?? '{0}';
  let left = every;
  let generation = 0;
  const show = () => {
    if (countdown) {
      countdown.textContent = template.replace('{0}', String(left));
    }
  };
  show();
  window.setInterval(() => {
    left -= 1;
    if (left <= 0) {
      generation += 1;
      qr.src = `/portal/qr.png?n=${Date.now()}-${generation}`;
      left = every;
    }
    show();
  }, 1000);
}
