// Keyboard shortcuts and copy buttons for the draft page. No framework; htmx does the requests.

// Shared by both parts below. Copy a text: the clipboard API where the page is a secure context, else a selected off-screen textarea.
// Resolves true when the text was copied (a button given says 已复制 for a moment), false when the browser refused.
function copyText(text, button) {
  const fallback = () => {
    const area = document.createElement("textarea");
    area.value = text;
    area.className = "sr-only";
    document.body.append(area);
    area.select();
    let copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    area.remove();
    return copied;
  };
  const written = navigator.clipboard && window.isSecureContext
    ? navigator.clipboard.writeText(text).then(() => true, fallback)
    : Promise.resolve(fallback());
  return written.then((copied) => {
    if (copied && button) {
      const old = button.textContent;
      button.textContent = "已复制";
      setTimeout(() => { button.textContent = old; }, 1200);
      const draft = button.closest("form.draft");
      announce(draft ? `已复制草稿 ${draft.id.replace("draft-", "")}。` : "已复制。");
    }
    return copied;
  });
}
// One short sentence for a screen reader, in the page's status line (the draft page and 我的回复 have one).
function announce(text) {
  const status = document.getElementById("page-status");
  if (status) status.textContent = text;
}

// What each draft held when one of this complaint's drafts was last marked as sent (the log keeps that reply's text);
// before any is, the drafts as made.
const markedText = new WeakMap();
// A draft on the draft page that the agent changed (typed, ticked, inserted a phrase) since it was made or since the
// last 标记为已发送: a correction made after marking it sent is lost too (the log keeps the older text).
function draftEdited() {
  const result = document.getElementById("result");
  if (!result) return false;
  return [...result.querySelectorAll("textarea.reply")].some(
    (area) => area.value !== (markedText.has(area) ? markedText.get(area) : area.defaultValue),
  );
}
// The texts as a draft's 标记为已发送 posted them, kept once the answer says it was recorded (or was already).
document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.detail.elt;
  if (!form || !form.matches || !form.matches("form.draft")) return;
  form.postedTexts = [...document.querySelectorAll("#result textarea.reply")].map((area) => [area, area.value]);
});
// Only the mark's own answer: the live sincerity check of a textarea inside the form, answered while the mark is on its
// way, must not drop what the mark posted.
document.addEventListener("htmx:afterSwap", (event) => {
  const form = (event.detail.elt || event.target).closest?.("form.draft");
  const source = event.detail.requestConfig && event.detail.requestConfig.elt;  // the element that asked
  if (!form || !form.postedTexts || (source && source !== form)) return;
  if (form.querySelector(".sent .ok")) for (const [area, text] of form.postedTexts) markedText.set(area, text);
  form.postedTexts = null;
});
// Asked before 下一条 and before drafts are generated again over an edited draft: true when the agent chose to keep it.
function keepEditedDraft(what) {
  return draftEdited() && !window.confirm(`草稿改过了，还没有标记为已发送。${what}会丢掉这些改动，确定吗？`);
}
// Leaving the page (a link, 退出, closing the tab, a reload) with such a draft: the browser asks first. Its question is
// its own (browsers show no page's text there), in the browser's language.
window.addEventListener("beforeunload", (event) => {
  if (!draftEdited()) return;
  event.preventDefault();
  event.returnValue = "";
});
const NOT_COPIED = "没能复制（浏览器不允许）：请选中文字后按 Ctrl+C。";

(function () {
  "use strict";

  function copyFrom(selector, button) {
    const area = document.querySelector(selector);
    if (area) copyText(area.value, button);
  }

  // A page that answers a form post (账号, 我的账号) names its own address in data-page-url: the history entry becomes
  // that address, so a reload or a return asks for the page again instead of posting the form again, which would add
  // the account twice, reset the password again or replace the token again, voiding the secret just handed on.
  const pageUrl = document.querySelector("[data-page-url]");
  if (pageUrl) history.replaceState(null, "", pageUrl.dataset.pageUrl);

  // 批量分拣's answer: the ranked list is what the agent came for, but the form above it filled the first screen and the
  // list's heading (focused by autofocus, which does not scroll what is already in view) sat at its bottom edge, the most
  // urgent rows below the fold. The heading goes to the top of the screen.
  const ranked = document.getElementById("triage-results");
  if (ranked) {
    ranked.scrollIntoView({ block: "start" });
    ranked.focus({ preventScroll: true });
  }

  // A form that does what cannot be undone (a password reset, a deactivation) asks first: data-confirm holds the question.
  document.addEventListener("submit", (event) => {
    const question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);

  // 批量分拣's 写回复 opens the complaint in a new tab: its row says so, so the ranked list shows which ones were taken up.
  document.addEventListener("submit", (event) => {
    const row = event.target.closest && event.target.closest("table.triage tbody tr");
    if (!row || row.classList.contains("opened")) return;
    row.classList.add("opened");
    const mark = document.createElement("span");
    mark.className = "opened-mark";
    mark.textContent = "已打开";
    event.target.after(mark);
  });

  // ... and once the reply is marked as sent in that tab, the row says 已发送 with the reply's number: an agent
  // working down 50 complaints saw only 已打开, the same for one sent and one left half-done when the phone rang. The
  // tabs of one site talk over a BroadcastChannel; the row is found by its complaint, as 写回复 got it.
  if ("BroadcastChannel" in window) {
    const channel = new BroadcastChannel("assistant-sent");
    const same = (text) => text.replace(/\s+/g, " ").trim();
    document.addEventListener("htmx:afterSwap", (event) => {
      const form = (event.detail.elt || event.target).closest?.("form.draft");
      const ok = form && form.querySelector(".sent .ok");
      const complaint = form && form.querySelector("input[name=complaint]");
      const id = ok && (ok.textContent.match(/#(\d+)/) || [])[1];
      if (id && complaint) channel.postMessage({ complaint: same(complaint.value), id });
    });
    channel.addEventListener("message", (event) => {
      const { complaint, id } = event.data || {};
      const rows = [...document.querySelectorAll("table.triage tbody tr")].filter(
        (row) => !row.classList.contains("sent") && same(row.querySelector("input[name=text]")?.value || "") === complaint);
      const row = rows.find((r) => r.classList.contains("opened")) || rows[0];  // the same text twice: the one opened
      if (!row || !/^\d+$/.test(String(id))) return;
      row.classList.add("opened", "sent");
      row.querySelector(".opened-mark")?.remove();
      const mark = document.createElement("a");
      mark.className = "sent-mark";
      mark.href = `/replies/${id}`;
      mark.textContent = `已发送 #${id}`;
      row.querySelector("td.row-actions").append(mark);
    });
  }

  // The browser says why a field is refused in its own language (「Please fill out this field.」 in an English one): the
  // pages say it in Chinese. Set when the field is found invalid, taken away as soon as the field changes.
  function chineseValidity(field) {
    if (!field.setCustomValidity) return;
    field.setCustomValidity("");
    const v = field.validity;
    if (v.valid) return;
    let message = "这一项填得不对，请检查。";
    if (v.valueMissing) message = field.type === "file" ? "请先选择文件。" : field.tagName === "SELECT" ? "请在列表里选一项。" : "请填写这一项。";
    else if (v.tooShort) message = `至少要 ${field.minLength} 个字符（现在是 ${field.value.length} 个）。`;
    else if (v.tooLong) message = `最多 ${field.maxLength} 个字符（现在是 ${field.value.length} 个）。`;
    else if (v.patternMismatch) message = field.dataset.format || "格式不对，请检查。";
    field.setCustomValidity(message);
  }
  document.addEventListener("invalid", (event) => chineseValidity(event.target), true);
  const freshValidity = (event) => { if (event.target.validity && event.target.validity.customError) event.target.setCustomValidity(""); };
  document.addEventListener("input", freshValidity, true);
  document.addEventListener("change", freshValidity, true);

  // A file field (_file_picker.html) says which file was chosen, in place of the browser's own words (English in an
  // English browser). Also on load: a page restored from the back/forward cache may keep the file.
  function showChosen(input) {
    const line = document.getElementById(input.id + "-chosen");
    if (line) line.textContent = input.files && input.files.length ? [...input.files].map((f) => f.name).join("、") : "未选择文件";
  }
  document.addEventListener("change", (event) => {
    if (event.target.matches && event.target.matches("input.file-input")) showChosen(event.target);
  });
  window.addEventListener("pageshow", () => document.querySelectorAll("input.file-input").forEach(showChosen));

  // 帮助's bookmarklet works from the bookmarks bar only; clicked on the page it would do nothing (the page's own policy
  // blocks it), so a click says what to do instead.
  document.addEventListener("click", (event) => {
    if (!event.target.closest("a.bookmarklet")) return;
    event.preventDefault();
    const hint = document.getElementById("bookmarklet-hint");
    if (hint) hint.textContent = "这个按钮要拖到浏览器的书签栏里使用：按住它拖上去，在店铺后台选中评价文字后再点书签。";
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button.copy");
    if (!button) return;
    if (button.dataset.copyText !== undefined) copyText(button.dataset.copyText, button);
    else copyFrom(button.dataset.copy, button);
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
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.closest("#compose-form")) {
      event.preventDefault();
      htmx.trigger("#compose-form", "submit");
    }
    if (event.altKey && ["1", "2", "3"].includes(event.key)) {
      const button = document.querySelector(`#draft-${event.key} button.copy`);
      if (button) { event.preventDefault(); copyFrom(button.dataset.copy, button); }
    }
  });
})();

// The draft page: 下一条 (Alt+N) and quick phrases (a search box, or "/" and words typed in a draft).
(function () {
  "use strict";

  function nextComplaint() {
    const form = document.getElementById("compose-form");
    if (!form || keepEditedDraft("清空这一页")) return;
    for (const field of form.querySelectorAll("textarea, input:not([type=hidden])")) field.value = "";
    const rating = form.querySelector("select[name=rating]");
    if (rating) rating.value = "";
    const result = document.getElementById("result");
    if (result) result.replaceChildren();
    const search = document.getElementById("phrase-q");
    if (search) { search.value = ""; showPhrases(document.getElementById("phrase-list"), [], null); }
    if (location.search) history.replaceState(null, "", "/compose");
    document.getElementById("text").focus();
  }

  document.addEventListener("click", (event) => {
    if (event.target.closest("#next-complaint")) nextComplaint();
  });
  document.addEventListener("keydown", (event) => {
    if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyN" && document.getElementById("compose-form")) {
      event.preventDefault();
      nextComplaint();
    }
  });

  // ---- quick phrases ----
  let lastEditor = null; // the draft being edited: where the search box inserts
  document.addEventListener("focusin", (event) => {
    if (event.target.matches && event.target.matches("textarea.reply")) lastEditor = event.target;
  });

  const csrf = () => (document.querySelector("meta[name=csrf-token]") || {}).content || "";

  async function findPhrases(query) {
    const response = await fetch("/compose/phrases?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } });
    if (!response.ok) return [];
    return (await response.json()).phrases;
  }

  // within: the phrase goes into a draft that has other text, which has greeted and signed already (the server leaves
  // out the phrase's 「您好」 and 「我是…」). complaint: the one to fill it from (default: the box's). The answer is
  // {text, picked}: picked signs the template and text, for a draft that 替换草稿 replaces with it.
  async function requestPhrase(templateId, within = false, complaint = null) {
    const form = document.getElementById("compose-form");
    const body = new FormData();
    body.append("template_id", templateId);
    if (within) body.append("within", "1");
    body.append("complaint", complaint === null ? form.querySelector("#text").value : complaint);
    for (const name of ["customer", "product", "order_id"]) body.append(name, form.querySelector(`[name=${name}]`).value);
    const response = await fetch("/compose/phrase", { method: "POST", body, headers: { "X-CSRF-Token": csrf(), Accept: "application/json" } });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.detail || "快捷短语插入失败，请重试。");
    return data;
  }
  const fillPhrase = async (templateId, within = false) => (await requestPhrase(templateId, within)).text;

  // Insert text into an editor, replacing [start, end), and tell htmx (the live sincerity check) it changed.
  function insertInto(editor, text, start, end) {
    editor.focus();
    editor.setRangeText(text, start, end, "end");
    editor.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // Whether an editor holds text outside [start, end), the part an insertion replaces.
  const hasOtherText = (editor, start, end) => (editor.value.slice(0, start) + editor.value.slice(end)).trim() !== "";

  function showPhrases(list, phrases, onPick, insertLabel = "插入") {
    if (!list) return;
    list.replaceChildren();
    list.hidden = phrases.length === 0;
    phrases.forEach((p, n) => {
      const item = document.createElement("li");
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", String(n === 0));
      item.dataset.id = p.id;
      const title = document.createElement("span");
      title.className = "title";
      title.textContent = p.title;
      const line = document.createElement("span");
      line.className = "line";
      line.textContent = p.first_line;
      line.title = p.id;
      const insert = document.createElement("button");
      insert.type = "button";
      insert.className = "insert";
      insert.textContent = insertLabel;
      const copy = document.createElement("button");
      copy.type = "button";
      copy.className = "copy-phrase";
      copy.textContent = "复制";
      item.append(title, line, insert, copy);
      item.addEventListener("mousedown", (e) => e.preventDefault()); // keep the editor's focus and caret
      item.addEventListener("click", (e) => onPick(p.id, e.target === copy ? "copy" : "insert"));
      list.append(item);
    });
  }

  function moveSelection(list, by) {
    const items = [...list.querySelectorAll("li")];
    if (!items.length) return;
    const at = Math.max(0, items.findIndex((i) => i.getAttribute("aria-selected") === "true"));
    const next = (at + by + items.length) % items.length;
    items.forEach((item, n) => item.setAttribute("aria-selected", String(n === next)));
    items[next].scrollIntoView({ block: "nearest" });
  }

  const selected = (list) => {
    const item = list && !list.hidden && list.querySelector("li[aria-selected=true]");
    return item ? item.dataset.id : null;
  };

  function debounce(fn, ms) {
    let timer;
    return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  }

  const replacedText = new WeakMap(); // a draft's text as 替换草稿 last put it there
  // The agent corrected the intent (a type's name, or the 问题类型 list): the drafts were written for the intent the
  // assistant read, so the verdict panel lists the corrected intent's templates, and 替换草稿 puts one, filled from the
  // complaint, in place of the text of the draft being edited (draft 1 until another one was).
  async function showIntentPhrases(select) {
    const box = document.getElementById("intent-phrases");
    if (!box) return;
    const list = box.querySelector("ul");
    const note = box.querySelector("p");
    const wanted = select.value;
    if (wanted === select.dataset.shown) {
      box.hidden = true;
      list.replaceChildren();
      return;
    }
    const label = select.selectedOptions[0] ? select.selectedOptions[0].textContent : wanted;
    const response = await fetch("/compose/phrases?intent=" + encodeURIComponent(wanted), { headers: { Accept: "application/json" } });
    const phrases = response.ok ? (await response.json()).phrases : [];
    if (select.value !== wanted || !document.body.contains(box)) return; // changed again, or new drafts, meanwhile
    const titles = new Map(phrases.map((p) => [p.id, p.title]));
    const pick = async (id, how) => {
      try {
        if (how === "copy") {
          note.textContent = (await copyText(await fillPhrase(id))) ? "已复制，可以粘贴到聊天窗口。" : NOT_COPIED;
          return;
        }
        const editor = lastEditor && document.body.contains(lastEditor) ? lastEditor : document.getElementById("reply-1");
        const draft = editor && editor.closest("form.draft");
        if (!draft) return;
        const n = editor.id.replace("reply-", "");
        // The agent's own edits are not thrown away unasked, as 下一条 and 重新生成 ask (keepEditedDraft); no question
        // for a text the page put there (as made, as last marked sent, as last replaced).
        const own = ![editor.defaultValue, markedText.get(editor), replacedText.get(editor)].includes(editor.value);
        if (own && !window.confirm(`草稿 ${n} 改过了，还没有标记为已发送。替换草稿会丢掉这些改动，确定吗？`)) {
          note.textContent = `没有替换，草稿 ${n} 的改动还在。`;
          return;
        }
        // Filled from the complaint the drafts were made for, and logged under this template when marked as sent: the
        // draft's template_id becomes it, with the server's signed token of it (the suggestion's token shows the old ones).
        const { text, picked } = await requestPhrase(id, false, draft.querySelector("input[name=complaint]").value);
        draft.querySelector("input[name=template_id]").value = id;
        let token = draft.querySelector("input[name=picked]");
        if (!token) {
          token = document.createElement("input");
          token.type = "hidden";
          token.name = "picked";
          draft.prepend(token);
        }
        token.value = picked;
        const heading = draft.querySelector("h3 small");
        if (heading) heading.textContent = `${label} · ${titles.get(id) || id}`;
        insertInto(editor, text, 0, editor.value.length);
        replacedText.set(editor, editor.value);
        note.textContent = `已用“${titles.get(id) || "这个模板"}”替换草稿 ${n} 的文字，改好后再复制、标记为已发送。`;
        announce(note.textContent);
      } catch (e) { note.textContent = e.message; }
    };
    showPhrases(list, phrases, pick, "替换草稿");
    note.textContent = phrases.length
      ? `草稿是按助手的判断写的。改判为“${label}”后，可以从下面这一类的模板里选一个，点“替换草稿”换掉正在编辑的草稿（还没改过哪一份就换草稿 1）。`
      : `“${label}”没有模板，请直接修改草稿。`;
    box.hidden = false;
  }
  document.addEventListener("change", (event) => {
    if (event.target.id === "agent-intent") showIntentPhrases(event.target);
  });

  // The search box in the left column.
  const search = document.getElementById("phrase-q");
  const searchList = document.getElementById("phrase-list");
  const status = document.getElementById("phrase-status");
  if (search && searchList) {
    searchList.hidden = true;
    const say = (text) => { if (status) status.textContent = text; };
    const pick = async (id, how) => {
      try {
        const editor = lastEditor && document.body.contains(lastEditor) ? lastEditor : document.getElementById("reply-1");
        const within = how !== "copy" && !!editor && hasOtherText(editor, editor.selectionStart, editor.selectionEnd);
        const text = await fillPhrase(id, within);
        if (how === "copy") {
          say(await copyText(text) ? "已复制，可以粘贴到聊天窗口。" : NOT_COPIED);
          return;
        }
        if (!editor) { say("请先生成草稿，再插入快捷短语（也可以点“复制”）。"); return; }
        insertInto(editor, (editor.value && !/\s$/.test(editor.value.slice(0, editor.selectionStart)) ? "\n" : "") + text,
          editor.selectionStart, editor.selectionEnd);
        say("已插入到" + (editor.id ? "草稿 " + editor.id.replace("reply-", "") : "草稿") + "。");
      } catch (e) { say(e.message); }
    };
    const refresh = debounce(async () => {
      const query = search.value.trim();
      const phrases = query ? await findPhrases(query) : [];
      showPhrases(searchList, phrases, pick);
      say(query && !phrases.length ? "没有找到匹配的快捷短语。" : "");
    }, 150);
    search.addEventListener("input", refresh);
    const wanted = new URLSearchParams(location.search).get("phrase");
    if (wanted) { search.value = wanted; refresh(); }
    search.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") { event.preventDefault(); moveSelection(searchList, event.key === "ArrowDown" ? 1 : -1); }
      if (event.key === "Enter" && selected(searchList)) { event.preventDefault(); pick(selected(searchList), "insert"); }
    });
  }

  // "/" and words typed in a draft: a list under it; Enter or Tab inserts the chosen phrase in place of "/words".
  const popup = document.createElement("ul");
  popup.className = "phrase-list popup";
  popup.id = "slash-list";
  popup.setAttribute("role", "listbox");
  popup.setAttribute("aria-label", "快捷短语");
  popup.hidden = true;
  let slash = null; // {editor, start}: where the "/" is
  const SLASH = /(?:^|[\s，。！？,.!?])\/([^\s\/]{0,20})$/;

  function closePopup() { popup.hidden = true; slash = null; }

  const lookUp = debounce(async (editor, query) => {
    const phrases = await findPhrases(query);
    if (!slash || slash.editor !== editor) return;
    showPhrases(popup, phrases, (id, how) => pickSlash(id, how));
    editor.after(popup);
  }, 150);

  async function pickSlash(id, how) {
    if (!slash) return;
    const { editor, start } = slash;
    closePopup();
    try {
      const text = await fillPhrase(id, how !== "copy" && hasOtherText(editor, start, editor.selectionStart));
      if (how === "copy") {
        if (!(await copyText(text))) throw new Error(NOT_COPIED);
        return;
      }
      insertInto(editor, text, start, editor.selectionStart);
    } catch (e) {
      const box = editor.closest("form") && editor.closest("form").querySelector(".sent");
      if (box) box.textContent = e.message;
    }
  }

  document.addEventListener("input", (event) => {
    const editor = event.target;
    if (!editor.matches || !editor.matches("textarea.reply") || !event.isTrusted) return;
    const before = editor.value.slice(0, editor.selectionStart);
    const m = SLASH.exec(before);
    if (!m) { closePopup(); return; }
    slash = { editor, start: editor.selectionStart - m[1].length - 1 };
    if (m[1]) lookUp(editor, m[1]); else { showPhrases(popup, [], null); }
  });
  document.addEventListener("keydown", (event) => {
    if (popup.hidden || !slash || event.target !== slash.editor) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") { event.preventDefault(); moveSelection(popup, event.key === "ArrowDown" ? 1 : -1); }
    else if ((event.key === "Enter" || event.key === "Tab") && selected(popup)) { event.preventDefault(); pickSlash(selected(popup)); }
    else if (event.key === "Escape") { event.preventDefault(); closePopup(); }
  });
  document.addEventListener("focusout", (event) => {
    if (slash && event.target === slash.editor) setTimeout(() => { if (document.activeElement !== slash?.editor) closePopup(); }, 150);

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

  // Any other failure (htmx swaps only 2xx) would leave the page silent: the draft not shown, the reply not marked as
  // sent, the outcome not recorded, and nothing saying so. The form that asked says what happened, in Chinese, and
  // whether anything was saved; the next answer that comes through takes the message away.
  const FAILED = {
    401: "登录已失效（密码在别处改过或被重设）。请先复制写好的内容，再刷新页面重新登录。",
    403: "登录已过期（或页面开得太久了）。请先复制写好的内容，再刷新页面重新登录。",
    413: "内容太长，服务器没有收下。",
    429: "操作太频繁了，请等一会儿再试。",
  };
  function sayFailed(event, status) {
    const from = event.detail.elt || event.target;
    const form = from.closest && from.closest("form");
    if (!form) return;
    const what = form.matches("form.draft") && from === form ? "没有记录为已发送："
      : form.matches("form.outcome-form") ? "结果没有登记："
      : "没有完成：";
    const why = FAILED[status] || (status >= 500 || status === 0
      ? "服务器暂时出了问题，请稍后再试。"
      : `请求没有被接受（${status}），请刷新页面后再试。`);
    let line = form.querySelector(".request-error");
    if (!line) {
      line = document.createElement("p");
      line.className = "alert request-error";
      line.setAttribute("role", "alert");
      form.append(line);
    }
    line.textContent = what + why;
  }
  document.addEventListener("htmx:responseError", (event) => sayFailed(event, event.detail.xhr.status));
  document.addEventListener("htmx:sendError", (event) => sayFailed(event, 0));
  document.addEventListener("htmx:afterRequest", (event) => {
    const from = event.detail.elt || event.target;
    const form = from.closest && from.closest("form");
    if (event.detail.successful && form) form.querySelector(".request-error")?.remove();
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

// Keeping the agent's work on the draft page: drafts never pass for another complaint's, an edited draft is not thrown
// away without asking, and the cursor and a screen reader follow what happened.
(function () {
  "use strict";

  const oneLine = (text) => text.replace(/\r\n?/g, "\n").trim();
  // The complaint the drafts on the page were written for (each draft form carries it), or null when there are none.
  function draftedFor() {
    const field = document.querySelector("#result form.draft input[name=complaint]");
    return field ? field.value : null;
  }
  // The complaint box was changed after the drafts were made: they answer the complaint that was there before.
  function stale() {
    const text = document.getElementById("text");
    const drafted = draftedFor();
    return drafted !== null && !!text && oneLine(drafted) !== oneLine(text.value);
  }
  const STALE = "投诉内容改过了，下面的草稿还是按原来那条写的，不能复制或标记为已发送。请按 Ctrl+Enter 重新生成草稿。";

  function showStale() {
    const result = document.getElementById("result");
    if (!result) return;
    const now = stale();
    result.classList.toggle("stale", now);
    let notice = document.getElementById("stale-note");
    if (now && !notice) {
      notice = document.createElement("p");
      notice.id = "stale-note";
      notice.className = "alert";
      notice.setAttribute("role", "alert");
      notice.textContent = STALE;
      result.prepend(notice);
    } else if (!now && notice) notice.remove();
  }
  document.addEventListener("input", (event) => { if (event.target.id === "text") showStale(); });
  // Drafts generated again (Ctrl+Enter) answer the complaint in the box: they are no longer dimmed.
  document.addEventListener("htmx:afterSwap", (event) => { if (event.detail.target && event.detail.target.id === "result") showStale(); });

  // Copying a stale draft (a button or Alt+1..3) is refused before the copy handlers run.
  function refuseStaleCopy(event, draft) {
    if (!draft || !stale()) return false;
    event.preventDefault();
    event.stopImmediatePropagation();
    showStale();
    announce(STALE);
    return true;
  }
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("#result button.copy");
    if (button) refuseStaleCopy(event, button);
  }, true);
  document.addEventListener("keydown", (event) => {
    if (event.altKey && ["1", "2", "3"].includes(event.key)) refuseStaleCopy(event, document.getElementById(`draft-${event.key}`));
  }, true);

  document.addEventListener("htmx:confirm", (event) => {
    const from = event.detail.elt;
    if (from && from.id === "compose-form" && keepEditedDraft("重新生成草稿")) event.preventDefault();
    if (from && from.matches && from.matches("form.draft") && stale()) {
      event.preventDefault();
      showStale();
      const line = from.querySelector(".sent");
      if (line) line.textContent = "没有记录：" + STALE;
    }
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    // The element that asked: a row's form is already replaced (detached) when the event reaches the document.
    const from = (event.detail.requestConfig && event.detail.requestConfig.elt) || event.detail.elt;
    if (!from || !from.matches) return;
    // Marking a draft as sent disables its button for the request, which drops the focus to the page: it goes back to
    // the button (or to 仍然发送, when the reply needs confirming), so Tab and Enter carry on from there.
    if (from.matches("form.draft")) {
      const confirmBox = from.querySelector(".sent input[name=confirm_send]");
      const target = confirmBox || from.querySelector("button[type=submit]");
      if (target && !from.contains(document.activeElement)) target.focus();
    }
    // An outcome recorded on 我的回复 replaces its row: the cursor goes on to the next reply's result (or stays on the
    // row when it was refused), and the status line says what was recorded.
    if (from.matches("form.outcome-form")) {
      const row = document.getElementById(from.getAttribute("hx-target").slice(1));
      if (!row) return;
      const refused = row.querySelector(".alert");
      const next = !refused && row.nextElementSibling && row.nextElementSibling.querySelector("select[name=result]");
      (next || row.querySelector("select[name=result]")).focus();
      const outcome = row.querySelector(".outcome");
      if (!refused && outcome) announce(`回复 ${row.id.replace("reply-", "")} 已登记：${outcome.textContent}。`);
    }
  });
})();

// 我的回复's 从/到: a calendar in Chinese (flatpickr, vendored: static/README.md) on the text fields, which still take a
// day typed in any form the server reads (pages_backlog._DAY). Weeks start on Monday; the browser's language plays no
// part, unlike type=date. Without scripts the fields are plain text fields.
(function () {
  "use strict";

  const fields = document.querySelectorAll("input.day");
  if (!fields.length || !window.flatpickr || !flatpickr.l10ns.zh) return;
  const DAY = /^\s*(\d{4})\s*[-\/.年]\s*(\d{1,2})\s*[-\/.月]\s*(\d{1,2})\s*日?\s*$/;
  // The day a typed text names, or undefined (not one of the forms, or no such day: 2026-02-30).
  function parseDay(text) {
    const m = DAY.exec(text || "");
    if (!m) return undefined;
    const [y, mo, d] = m.slice(1).map(Number);
    const day = new Date(y, mo - 1, d);
    return day.getFullYear() === y && day.getMonth() === mo - 1 && day.getDate() === d ? day : undefined;
  }
  const locale = { ...flatpickr.l10ns.zh, firstDayOfWeek: 1 };

  for (const field of fields) {
    const typed = field.value;
    let picker = null;
    // Keys in the field, before the calendar's own: Enter sends the form as it always did (flatpickr's would take the
    // focus away and the form would not go), Escape closes the calendar, ↓ moves into it (arrows, Enter picks a day).
    field.addEventListener("keydown", (event) => {
      if (!picker) return;
      if (event.key === "Enter") {
        picker.close();
        event.stopImmediatePropagation();
      } else if (event.key === "Escape" && picker.isOpen) {
        event.preventDefault();
        picker.close();
      } else if (event.key === "ArrowDown" && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        picker.open();
        picker.jumpToDate(picker.selectedDates[0] || new Date());
        const days = picker.daysContainer;
        const inMonth = ":not(.prevMonthDay):not(.nextMonthDay)";
        const day = days.querySelector(`.flatpickr-day.selected${inMonth}`) || days.querySelector(`.flatpickr-day.today${inMonth}`)
          || days.querySelector(`.flatpickr-day${inMonth}`);
        if (day) day.focus();
      }
    });
    picker = flatpickr(field, {
      locale,
      dateFormat: "Y-m-d",
      ariaDateFormat: "Y年n月j日 l",
      allowInput: true,
      allowInvalidPreload: true, // a day the server refused stays in the field, beside its message
      disableMobile: true, // on phones flatpickr would hand over to type=date, in the browser's language
      parseDate: parseDay,
    });
    field.value = typed; // as the agent wrote it (flatpickr rewrites a day it read as 2026-11-30)
    // flatpickr reads the field again when it loses the focus or on a click elsewhere, and would write the day back as
    // 2026-11-30, or empty the field when it cannot read it. The field keeps what was typed (the server reads every form,
    // and a day it cannot read is refused at the field in Chinese); the calendar shows the day typed, if any.
    const setDate = picker.setDate;
    picker.setDate = (date, triggerChange, format) => {
      if (typeof date !== "string" || !date.trim()) return setDate(date, triggerChange, format);
      const text = field.value;
      setDate(parseDay(date) || [], false);
      field.value = text;
    };
    // While typing, the calendar turns to the month of the day typed.
    field.addEventListener("input", (event) => {
      const day = event.isTrusted && parseDay(field.value);
      if (day) picker.jumpToDate(day);
    });
    field.title += "；点一下或按 ↓ 键可在日历里选";
  }
})();
