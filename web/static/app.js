// Keyboard shortcuts and copy buttons for the draft page. No framework; htmx does the requests.
(function () {
  "use strict";

  function copyFrom(selector, button) {
    const area = document.querySelector(selector);
    if (!area) return;
    const done = () => { if (button) { const old = button.textContent; button.textContent = "已复制"; setTimeout(() => { button.textContent = old; }, 1200); } };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(area.value).then(done, () => { area.select(); document.execCommand("copy"); done(); });
    } else {
      area.select();
      document.execCommand("copy");
      done();
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button.copy");
    if (button) copyFrom(button.dataset.copy, button);
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.id === "text") {
      event.preventDefault();
      htmx.trigger("#compose-form", "submit");
    }
    if (event.altKey && ["1", "2", "3"].includes(event.key)) {
      const button = document.querySelector(`#draft-${event.key} button.copy`);
      if (button) { event.preventDefault(); copyFrom(button.dataset.copy, button); }
    }
  });
})();
