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
      qr.src = `${qr.dataset.src ?? '/portal/qr.png'}?n=${Date.now()}-${generation}`;
      left = every;
    }
    show();
  }, 1000);
}

// A purchase waiting for its payment: the page looks again every data-reload seconds.
const waiting = document.querySelector('[data-reload]');
if (waiting) {
  window.setTimeout(() => window.location.reload(), Number.parseInt(waiting.dataset.reload, 10) * 1000);
}

// The calendar link: a Copy button (shown only with script; the field is selectable without it).
for (const button of document.querySelectorAll('button[data-copy]')) {
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById('copy-status');
  if (!field || !navigator.clipboard) {
    continue;
  }
  button.hidden = false;
  button.addEventListener('click', async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      if (status) {
        status.textContent = button.dataset.copied;
      }
    } catch {
      // Without permission the field stays selected, ready for the system's own copy.
    }
  });
}
for (const field of document.querySelectorAll('.feed-url input[readonly]')) {
  field.addEventListener('focus', () => field.select());
}
