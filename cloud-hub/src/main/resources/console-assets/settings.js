// The settings page's module: a chosen logo file is read into the form's logo field — an SVG as its
// text, a PNG as a data: URL — so it is sent as an ordinary form field (the hub takes no multipart
// uploads). Without script, paste the SVG's text into the field.
for (const input of document.querySelectorAll('input[type="file"][data-logo]')) {
  input.addEventListener('change', () => {
    const target = document.getElementById(input.dataset.logo);
    const file = input.files?.[0];
    if (!target || !file) {
      return;
    }
    const reader = new FileReader();
    reader.addEventListener('load', () => {
      target.value = reader.result;
    });
    if (file.type === 'image/svg+xml' || file.name.toLowerCase().endsWith('.svg')) {
      reader.readAsText(file);
    } else {
      reader.readAsDataURL(file);
    }
  });
}
