// Progressive enhancement only: every page works without this file.
// A select marked data-autosubmit (currency, sort) sends its form when changed, so its button can hide.
document.documentElement.classList.add('js');
document.addEventListener('change', (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute('data-autosubmit') && target.form) target.form.requestSubmit();
});
