// Ask before a destructive or lossy submit: a form or a submit button with
// data-confirm="question" is sent only when the person agrees.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var question = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
