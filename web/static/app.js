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

// Behaviour the page templates used to carry in hx-on attributes (inline script, which the Content-Security-Policy
// blocks): the verdict panel on the draft page and the status line of refused posts.
(function () {
  "use strict";

  // A refused post (400) of a draft or an outcome form still shows its message: htmx swaps only 2xx by default.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const from = event.detail.elt || event.target; // the element that made the request (the event fires on the target)
    if (event.detail.xhr.status === 400 && from.closest("form.draft, form.outcome-form")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Clicking an intent's name picks it in the verdict panel.
  document.addEventListener("click", (event) => {
    const button = event.target.closest(".intents .pick");
    const pick = document.getElementById("agent-intent");
    if (!button || !pick) return;
    pick.value = button.dataset.intent;
    pick.dispatchEvent(new Event("change", { bubbles: true }));
  });

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.id === "agent-intent") {
      for (const b of document.querySelectorAll(".intents .pick")) b.setAttribute("aria-pressed", String(b.dataset.intent === target.value));
      target.classList.toggle("changed", target.value !== target.dataset.shown);
    }
    if (target.id === "agent-escalate") {
      const reasons = document.getElementById("agent-reasons");
      if (reasons) reasons.disabled = !target.checked;
    }
  });
})();
