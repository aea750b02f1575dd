// The booking form's module: Enter in the member search field searches (htmx listens for it) instead
// of sending the booking before a member is chosen. Without script the form has its own Find button.
for (const input of document.querySelectorAll('input[data-no-submit]')) {
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      input.dispatchEvent(new Event('search'));
    }
  });
}
