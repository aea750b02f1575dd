// The visitor pass page's print button (no inline script under the console's CSP).
document.querySelector('[data-print]')?.addEventListener('click', () => window.print());
