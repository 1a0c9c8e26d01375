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

  // A ticked action (已补发 …) turns the draft's promise into a done statement, and unticking turns it back;
  // the input event makes htmx re-check sincerity with the ticked phrases.
  document.addEventListener("change", (event) => {
    const box = event.target.closest("input.tick");
    if (!box) return;
    const area = document.getElementById(box.dataset.reply);
    if (!area) return;
    const [from, to] = box.checked ? [box.dataset.promise, box.dataset.done] : [box.dataset.done, box.dataset.promise];
    if (area.value.includes(from)) {
      area.value = area.value.replace(from, to);
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
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
