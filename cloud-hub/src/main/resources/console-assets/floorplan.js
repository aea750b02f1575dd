// The floor plan page's module: a chosen SVG file is read into the form's text field, so the plan is
// sent as an ordinary form field (the hub takes no multipart uploads). Without script, paste the text.
for (const input of document.querySelectorAll('input[type="file"][data-fills]')) {
  input.addEventListener('change', async () => {
    const target = document.getElementById(input.dataset.fills);
    const file = input.files?.[0];
    if (target && file) {
      target.value = await file.text();
    }
  });
}
