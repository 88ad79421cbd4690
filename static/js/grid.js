/* The monthly entry grid: a guard against leaving with unsaved changes, copying last month into
   empty cells (highlighted for review, saved only with the form), and a check of each cell as it
   is typed. The server's validation stays the authority; this only tells the officer sooner. */
(function () {
  "use strict";
  var form = document.querySelector("form.grid-form");
  if (!form) { return; }
  var messages = JSON.parse(document.getElementById("grid-messages").textContent);
  var status = document.getElementById("grid-status");
  var dirty = false;
  var PATTERNS = {
    count: /^\d+$/,
    money: /^\d{1,12}(\.\d{1,2})?$/,
    score: /^\d{1,3}(\.\d{1,2})?$/
  };

  function markDirty() { dirty = true; }

  function number(input) {
    var text = input.value.trim();
    return text === "" ? 0 : Number(text);
  }

  function problem(input) {
    var kind = input.dataset.kind, text = input.value.trim();
    if (text === "" || !PATTERNS[kind]) { return ""; }
    if (!PATTERNS[kind].test(text)) { return messages[kind]; }
    if (kind === "score" && Number(text) > 100) { return messages.score; }
    var whole = input.dataset.whole && form.elements[input.dataset.whole];
    if (whole && PATTERNS[whole.dataset.kind].test(whole.value.trim() || "0") && number(input) > number(whole)) {
      return messages.whole.replace("%(whole)s", input.dataset.wholeLabel);
    }
    return "";
  }

  function check(input) {
    var cell = input.closest("td"), message = problem(input);
    var shown = cell.querySelector(".cell-error.live");
    if (message) {
      if (!shown) {
        shown = document.createElement("div");
        shown.className = "cell-error live";
        shown.setAttribute("role", "alert");
        input.insertAdjacentElement("afterend", shown);
      }
      shown.textContent = message;
      input.setAttribute("aria-invalid", "true");
      cell.classList.add("invalid");
    } else if (shown) {
      shown.remove();
      input.removeAttribute("aria-invalid");
      cell.classList.remove("invalid");
    }
  }

  function checkRow(input) {
    // A part and its whole are checked together: changing the whole can settle the part.
    input.closest("tr").querySelectorAll("input[data-whole]").forEach(check);
    check(input);
  }

  form.addEventListener("input", function (event) {
    markDirty();
    if (event.target.dataset.kind) { checkRow(event.target); }
  });
  form.addEventListener("change", markDirty);
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) { return undefined; }
    event.preventDefault();
    event.returnValue = form.dataset.unsavedWarning;
    return form.dataset.unsavedWarning;
  });

  var copy = document.getElementById("copy-previous");
  copy.addEventListener("click", function () {
    var copied = 0;
    form.querySelectorAll("tbody tr").forEach(function (row) {
      var texts = row.querySelectorAll("input[type=text][data-kind]");
      var empty = Array.prototype.every.call(texts, function (input) { return input.value.trim() === ""; });
      texts.forEach(function (input) {
        // A score is the quarter's evaluation: it is never carried into another month by copying.
        if (input.value.trim() !== "" || !input.dataset.previous || input.dataset.kind === "score") { return; }
        input.value = input.dataset.previous;
        input.closest("td").classList.add("copied");
        copied += 1;
      });
      // Yes/no boxes have no blank: only a row with no data at all takes last month's.
      row.querySelectorAll("input[type=checkbox][data-kind]").forEach(function (box) {
        if (empty && box.dataset.previous === "是" && !box.checked) {
          box.checked = true;
          box.closest("td").classList.add("copied");
          copied += 1;
        }
      });
    });
    if (copied) {
      markDirty();
      form.querySelectorAll("input[data-whole]").forEach(check);
    }
    status.textContent = copied ? copy.dataset.copied.replace("%(count)s", copied) : copy.dataset.nothing;
  });
}());
