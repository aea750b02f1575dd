// The mail and parcels pages' module. A photo chosen or taken with the tablet's camera is scaled
// down in the browser and put into the form's photo field as a JPEG data URL, small enough for the
// hub's body limit (data-budget characters); the hub checks it again and writes it anew. A
// signature drawn on the pickup form's canvas goes into its signature field as a PNG data URL.
// Without script, items are logged without a photo and handed over on the desk's confirmation.

async function scaled(file, budget) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return null;
  }
  let side = 1600;
  let quality = 0.85;
  for (let round = 0; round < 12; round++) {
    const ratio = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * ratio));
    canvas.height = Math.max(1, Math.round(bitmap.height * ratio));
    const context = canvas.getContext('2d');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const url = canvas.toDataURL('image/jpeg', quality);
    // Sent form-encoded, '+' and '/' grow to three characters each: leave room for them.
    if (url.length * 1.1 <= budget) {
      return url;
    }
    if (quality > 0.55) {
      quality -= 0.1;
    } else {
      side = Math.round(side * 0.75);
    }
  }
  return null;
}

function readAsDataUrl(file) {
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.addEventListener('load', () => resolve(reader.result));
    reader.addEventListener('error', () => resolve(''));
    reader.readAsDataURL(file);
  });
}

for (const input of document.querySelectorAll('input[type="file"][data-photo]')) {
  input.addEventListener('change', async () => {
    const target = document.getElementById(input.dataset.photo);
    const preview = document.getElementById(input.dataset.preview);
    const file = input.files?.[0];
    if (!target) {
      return;
    }
    target.value = '';
    if (preview) {
      preview.hidden = true;
      preview.removeAttribute('src');
    }
    if (!file) {
      return;
    }
    const budget = Number(input.dataset.budget) || 60000;
    const url = await scaled(file, budget);
    // Not an image the browser can draw: send it as it is, and the hub says what is wrong with it.
    target.value = url ?? (await readAsDataUrl(file)).slice(0, budget);
    if (url && preview) {
      preview.src = url;
      preview.hidden = false;
    }
    input.dataset.ready = 'true';
  });
}

for (const canvas of document.querySelectorAll('canvas.signature-pad')) {
  const form = canvas.closest('form');
  const field = form?.querySelector('input[name="signature"]');
  const context = canvas.getContext('2d');
  context.lineWidth = 3;
  context.lineCap = 'round';
  context.lineJoin = 'round';
  context.strokeStyle = '#111';
  let drawing = false;
  const point = (event) => {
    const box = canvas.getBoundingClientRect();
    return [
      ((event.clientX - box.left) * canvas.width) / box.width,
      ((event.clientY - box.top) * canvas.height) / box.height,
    ];
  };
  canvas.addEventListener('pointerdown', (event) => {
    drawing = true;
    canvas.setPointerCapture?.(event.pointerId);
    const [x, y] = point(event);
    context.beginPath();
    context.moveTo(x, y);
    event.preventDefault();
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!drawing) {
      return;
    }
    const [x, y] = point(event);
    context.lineTo(x, y);
    context.stroke();
    event.preventDefault();
  });
  const finish = () => {
    if (drawing && field) {
      drawing = false;
      field.value = canvas.toDataURL('image/png');
      canvas.dataset.signed = 'true';
    }
  };
  canvas.addEventListener('pointerup', finish);
  canvas.addEventListener('pointerleave', finish);
  canvas.addEventListener('pointercancel', finish);
  const clear = form?.querySelector('[data-clear]');
  clear?.addEventListener('click', () => {
    context.clearRect(0, 0, canvas.width, canvas.height);
    if (field) {
      field.value = '';
    }
    delete canvas.dataset.signed;
  });
}
