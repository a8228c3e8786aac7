/* Annotate a brief: select a passage, choose "Annotate", write a note, save — no reload.
 *
 * Works on every body marked `data-brief` (its `data-source` is the brief's URL, `data-notes`
 * the id of the element listing its notes): one on a brief's page, one per version on a story
 * page. Offsets count the body's own text: `[data-start]` blocks give a block's offset in the
 * stored body, and `[data-aside]` elements (a story page's "also", "only here") are skipped.
 * The server draws every highlight; after each change this script fetches the page again and
 * swaps in the freshly rendered bodies and notes, so what you see is what the server stored.
 * Keyboard: select with Shift+arrows (caret browsing, F7) then Tab to "Annotate", or press
 * Alt+Shift+A; Escape closes the form. Vanilla JavaScript, no build step.
 */
(function () {
  "use strict";

  var config = document.querySelector("[data-annotate]");
  var csrfInput = document.getElementById("annotate-csrf");
  if (!config || !csrfInput) { return; }
  var api = config.getAttribute("data-api");
  var noteMaxLength = config.getAttribute("data-note-max-length");
  var groups = JSON.parse(config.getAttribute("data-groups") || "[]");
  var tagsUrl = config.getAttribute("data-tags");
  var status = document.getElementById("annotate-status");
  var button = null;
  var pending = null; // {start, end, exact, block, body}
  var form = null;
  var reattaching = null; // id of an orphaned note waiting for its new passage

  function bodies() { return Array.prototype.slice.call(document.querySelectorAll("[data-brief]")); }

  /* The body an element is in, or whose notes list holds it (null when neither). */
  function bodyOf(node) {
    var element = node && (node.nodeType === 1 ? node : node.parentElement);
    if (!element) { return null; }
    var inside = element.closest("[data-brief]");
    if (inside) { return inside; }
    return bodies().filter(function (b) {
      var list = document.getElementById(b.getAttribute("data-notes"));
      return list && list.contains(element);
    })[0] || null;
  }

  function sourceOf(body) { return new URL(body.getAttribute("data-source"), location.href).href; }

  /* Tell static/js/margin-notes.js to line the margin notes up again. */
  function notesMoved() { document.dispatchEvent(new Event("brief-notes-changed")); }

  function say(message) { if (status) { status.textContent = message; } }

  function request(method, url, payload) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfInput.value, "Accept": "application/ld+json" }
    };
    if (payload !== undefined) {
      options.headers["Content-Type"] = "application/ld+json";
      options.body = JSON.stringify(payload);
    }
    return fetch(url, options).then(function (response) {
      if (response.status === 204) { return null; }
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.error || ("The server answered " + response.status + ".")); }
        return data;
      });
    });
  }

  /* Whether a child of a notes list is this script's own (status, token, script): kept. */
  function isOwn(child) {
    return child.id === "annotate-status" || child.id === "annotate-csrf" || child.tagName === "SCRIPT";
  }

  /* Swap in the server's fresh rendering of every body and its notes list. */
  function refresh(focusId) {
    return fetch(location.pathname + location.search, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        bodies().forEach(function (current) {
          var notesId = current.getAttribute("data-notes");
          var newBody = fresh.getElementById(current.id);
          var newNotes = fresh.getElementById(notesId);
          var notes = document.getElementById(notesId);
          if (newBody) { current.replaceWith(document.adoptNode(newBody)); }
          if (!newNotes || !notes) { return; }
          var mark = Array.prototype.slice.call(notes.children).filter(isOwn)[0] || null;
          Array.prototype.slice.call(notes.children).forEach(function (child) {
            if (!isOwn(child)) { child.remove(); }
          });
          Array.prototype.slice.call(newNotes.children).forEach(function (child) {
            if (!isOwn(child)) { notes.insertBefore(document.adoptNode(child), mark); }
          });
        });
        showOwnActions();
        notesMoved();
        if (focusId) { focusNote(focusId); }
      });
  }

  function showOwnActions() {
    document.querySelectorAll(".note-own .note-actions").forEach(function (actions) {
      actions.hidden = false;
    });
    document.querySelectorAll("mark[id^='annotation-']").forEach(function (mark) {
      mark.tabIndex = -1;
    });
  }

  function blockOf(node, body) {
    var element = node.nodeType === 1 ? node : node.parentElement;
    var block = element && element.closest("[data-start]");
    return block && body.contains(block) ? block : null;
  }

  /* The text nodes of `block` that belong to the body (not inside a `[data-aside]`). */
  function textNodes(block) {
    var walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        return node.parentElement.closest("[data-aside]") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      }
    });
    var found = [];
    while (walker.nextNode()) { found.push(walker.currentNode); }
    return found;
  }

  function textOf(block) {
    return textNodes(block).map(function (node) { return node.data; }).join("");
  }

  /* Offsets sent to the server count Unicode code points, as the W3C TextPositionSelector
     does and as Python indexes the stored body (data-start too); the DOM counts UTF-16 code
     units, in which an astral character (𝐀, 👍, each half of a flag) is two. */
  function codePoints(text) {
    var pairs = text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g);
    return text.length - (pairs ? pairs.length : 0);
  }

  /* Whether UTF-16 index `at` of `text` falls between the two halves of one character. */
  function splitsPair(text, at) {
    return at > 0 && at < text.length &&
      /[\uD800-\uDBFF]/.test(text.charAt(at - 1)) && /[\uDC00-\uDFFF]/.test(text.charAt(at));
  }

  /* A DOM offset (UTF-16 code units) from the start of `block`, asides left out. */
  function offsetIn(block, container, offset) {
    var range = document.createRange();
    range.setStart(block, 0);
    range.setEnd(container, offset);
    var length = 0;
    textNodes(block).some(function (node) {
      if (node === container) { length += offset; return true; }
      if (range.comparePoint(node, node.data.length) !== 0) { return true; }
      length += node.data.length;
      return false;
    });
    return length;
  }

  /* The selection as body offsets in code points, trimmed of spaces. A selection over several
     paragraphs keeps them: stored bodies separate paragraphs by exactly one blank line ("\n\n").
     `from` and `to` index the DOM text (UTF-16) until they are converted at the end. */
  function readSelection() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) { return null; }
    var range = selection.getRangeAt(0);
    var body = bodyOf(range.startContainer);
    if (!body || !body.hasAttribute("data-brief")) { return null; }
    var block = blockOf(range.startContainer, body);
    if (!block) { return null; }
    var blocks = Array.prototype.slice.call(body.querySelectorAll("[data-start]"));
    var last = blockOf(range.endContainer, body);
    if (!last || blocks.indexOf(last) < blocks.indexOf(block)) { last = block; }
    var from = offsetIn(block, range.startContainer, range.startOffset);
    var to = blockOf(range.endContainer, body) === last
      ? offsetIn(last, range.endContainer, range.endOffset) : textOf(last).length;
    var texts = blocks.slice(blocks.indexOf(block), blocks.indexOf(last) + 1).map(textOf);
    var text = texts.join("\n\n");
    to += text.length - texts[texts.length - 1].length;  /* from an offset in `last` to one in `text` */
    while (from < to && /\s/.test(text.charAt(from))) { from += 1; }
    while (to > from && /\s/.test(text.charAt(to - 1))) { to -= 1; }
    if (splitsPair(text, from)) { from -= 1; }  /* a range may cut a character in two: keep it whole */
    if (splitsPair(text, to)) { to += 1; }
    if (to <= from) { return null; }
    var start = parseInt(block.getAttribute("data-start"), 10) + codePoints(text.slice(0, from));
    var exact = text.slice(from, to);
    return { start: start, end: start + codePoints(exact), exact: exact, block: last, range: range, body: body };
  }

  function hideButton() { if (button) { button.remove(); button = null; } }

  function showButton(selected) {
    hideButton();
    pending = selected;
    button = document.createElement("button");
    button.type = "button";
    button.className = "annotate-button";
    button.textContent = reattaching ? "Attach note here" : "Annotate";
    button.setAttribute("aria-label", reattaching ? "Attach the note to the selected passage" : "Annotate the selected passage");
    var rect = selected.range.getBoundingClientRect();
    button.style.top = (window.scrollY + rect.bottom + 6) + "px";
    button.style.left = (window.scrollX + Math.max(rect.left, 8)) + "px";
    button.addEventListener("click", function () {
      if (reattaching) { reattach(reattaching, pending); } else { openForm(pending, null); }
    });
    document.body.appendChild(button);
    say(reattaching ? "Passage selected. Tab to the Attach note here button to move the note to it."
      : "Passage selected. Press Alt+Shift+A, or Tab to the Annotate button, to add a note.");
  }

  function onSelectionEnd() {
    if (form) { return; }
    var selected = readSelection();
    if (selected) { showButton(selected); } else { hideButton(); }
  }

  function closeForm() {
    if (form) { form.remove(); form = null; notesMoved(); }
  }

  /* The note form: for a new passage (selected) or an existing annotation (annotation). */
  function openForm(selected, annotation) {
    hideButton();
    closeForm();
    form = document.createElement("form");
    form.className = "annotate-form";
    form.setAttribute("aria-label", annotation ? "Edit note" : "New note");
    var id = "annotate-note-" + Date.now();
    form.innerHTML =
      '<p class="annotate-quote"></p>' +
      '<label for="' + id + '">Note (optional)</label>' +
      '<textarea id="' + id + '" name="note" rows="4" maxlength="' + noteMaxLength + '"></textarea>' +
      '<label for="' + id + '-audience">Who can read it</label>' +
      '<select id="' + id + '-audience" name="audience"><option value="private">Only me (private)</option></select>' +
      '<label for="' + id + '-tags">Tags (comma separated)</label>' +
      '<input id="' + id + '-tags" name="tags" list="' + id + '-tag-list" autocomplete="off"><datalist id="' + id + '-tag-list"></datalist>' +
      '<p class="annotate-error" role="alert"></p>' +
      '<p class="annotate-buttons"><button type="submit">Save</button> <button type="button" data-action="cancel">Cancel</button></p>';
    var quote = annotation ? annotation.target.selector[0].exact : selected.exact;
    form.querySelector(".annotate-quote").textContent = "“" + quote + "”";
    groups.forEach(function (group) {
      var option = document.createElement("option");
      option.value = "group:" + group.slug;
      option.textContent = "Group: " + group.name;
      form.audience.appendChild(option);
    });
    var everyone = document.createElement("option");
    everyone.value = "public";
    everyone.textContent = "Everyone (public)";
    form.audience.appendChild(everyone);
    if (annotation) {
      var parts = bodiesOf(annotation);
      form.note.value = parts.note;
      form.tags.value = parts.tags.join(", ");
      form.audience.value = annotation.visibility === "group" ? "group:" + annotation.group : annotation.visibility;
    }
    fillTagList(form.querySelector("datalist"));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save(selected, annotation);
    });
    form.querySelector("[data-action=cancel]").addEventListener("click", closeForm);
    form.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { closeForm(); say("Note cancelled."); }
    });
    var anchor = annotation ? document.getElementById("note-" + annotationId(annotation)) : selected.block;
    var holder = anchor.closest(".block-with-notes") || anchor;
    holder.insertAdjacentElement("afterend", form);
    notesMoved();
    form.note.focus();
  }

  /* A W3C body is one object or a list: the note (commenting) and tags (tagging). */
  function bodiesOf(annotation) {
    var bodies = annotation.body ? [].concat(annotation.body) : [];
    var result = { note: "", tags: [] };
    bodies.forEach(function (b) {
      if (b.purpose === "tagging") { result.tags.push(b.value); } else { result.note = b.value; }
    });
    return result;
  }

  /* Autocomplete from the reader's own tags (one request per open form). */
  function fillTagList(list) {
    if (!tagsUrl) { return; }
    fetch(tagsUrl, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { tags: [] }; })
      .then(function (data) {
        data.tags.forEach(function (name) {
          var option = document.createElement("option");
          option.value = name;
          list.appendChild(option);
        });
      }).catch(function () {});
  }

  function annotationId(annotation) {
    return annotation.id.replace(/\/$/, "").split("/").pop();
  }

  function save(selected, annotation) {
    var note = form.note.value;
    var audience = form.audience.value;
    var visibility = audience.indexOf("group:") === 0 ? "group" : audience;
    var body = [{ type: "TextualBody", value: note, format: "text/plain", purpose: "commenting" }];
    form.tags.value.split(",").forEach(function (tag) {
      if (tag.trim()) { body.push({ type: "TextualBody", value: tag.trim(), purpose: "tagging" }); }
    });
    var payload = { body: body, visibility: visibility };
    if (visibility === "group") { payload.group = audience.slice(6); }
    var call;
    if (annotation) {
      call = request("PATCH", annotation.id, payload);
    } else {
      payload["@context"] = "http://www.w3.org/ns/anno.jsonld";
      payload.type = "Annotation";
      payload.motivation = note ? "commenting" : "highlighting";
      payload.target = {
        source: sourceOf(selected.body),
        selector: [
          { type: "TextQuoteSelector", exact: selected.exact },
          { type: "TextPositionSelector", start: selected.start, end: selected.end }
        ]
      };
      call = request("POST", api, payload);
    }
    call.then(function (saved) {
      closeForm();
      window.getSelection().removeAllRanges();
      say(annotation ? "Note saved." : "Highlight saved.");
      return refresh(annotationId(saved));
    }).catch(function (error) {
      if (form) { form.querySelector(".annotate-error").textContent = error.message; }
    });
  }

  /* Re-attaching an orphan: the reader selects its new passage, then "Attach note here". */
  function startReattach(note) {
    stopReattach();
    reattaching = note.getAttribute("data-annotation");
    var body = bodyOf(note);
    var hint = document.createElement("p");
    hint.className = "reattach-hint";
    hint.id = "reattach-hint";
    hint.innerHTML = 'Select the passage this note belongs to in the text above, then choose “Attach note here”. <button type="button" data-action="cancel-reattach">Cancel</button>';
    note.insertAdjacentElement("afterend", hint);
    hint.querySelector("button").addEventListener("click", function () { stopReattach(); say("Re-attaching cancelled."); });
    say("Select the passage this note belongs to, then choose Attach note here.");
    if (body) { body.scrollIntoView({ block: "start" }); }
  }

  function stopReattach() {
    reattaching = null;
    var hint = document.getElementById("reattach-hint");
    if (hint) { hint.remove(); }
  }

  function reattach(id, selected) {
    hideButton();
    request("PATCH", api + id + "/", {
      target: {
        source: sourceOf(selected.body),
        selector: [
          { type: "TextQuoteSelector", exact: selected.exact },
          { type: "TextPositionSelector", start: selected.start, end: selected.end }
        ]
      }
    }).then(function () {
      stopReattach();
      window.getSelection().removeAllRanges();
      say("Note attached to the new passage.");
      return refresh(id);
    }).catch(function (error) { say(error.message); });
  }

  function focusNote(id) {
    var note = document.getElementById("note-" + id) || document.getElementById("version-note-" + id);
    document.querySelectorAll("mark.is-focused").forEach(function (m) { m.classList.remove("is-focused"); });
    document.querySelectorAll("mark[data-annotation='" + id + "']").forEach(function (m) { m.classList.add("is-focused"); });
    if (note) { note.focus(); }
  }

  document.addEventListener("mouseup", function (event) {
    if (button && event.target === button) { return; }
    if (form && form.contains(event.target)) { return; }
    window.setTimeout(onSelectionEnd, 0);
  });
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey && !event.altKey && event.key.indexOf("Arrow") === 0) { onSelectionEnd(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.altKey && event.shiftKey && (event.key === "A" || event.key === "a" || event.code === "KeyA")) {
      var selected = readSelection() || pending;
      if (selected) { event.preventDefault(); openForm(selected, null); }
    }
  });

  document.addEventListener("click", function (event) {
    var mark = event.target.closest && event.target.closest("mark[data-annotation]");
    if (mark && window.getSelection().isCollapsed) {
      focusNote(mark.getAttribute("data-annotation"));
      return;
    }
    var toPassage = event.target.closest && event.target.closest(".note-to-passage");
    if (toPassage) {
      var target = document.getElementById(toPassage.getAttribute("href").slice(1));
      if (target) {
        event.preventDefault();
        var id = target.getAttribute("data-annotation");
        document.querySelectorAll("mark.is-focused").forEach(function (m) { m.classList.remove("is-focused"); });
        document.querySelectorAll("mark[data-annotation='" + id + "']").forEach(function (m) { m.classList.add("is-focused"); });
        target.focus();
        history.replaceState(null, "", "#" + target.id);
      }
      return;
    }
    var action = event.target.closest && event.target.closest(".note-actions button");
    if (!action) { return; }
    var note = action.closest(".note");
    var url = api + note.getAttribute("data-annotation") + "/";
    if (action.getAttribute("data-action") === "reattach") {
      startReattach(note);
    } else if (action.getAttribute("data-action") === "edit") {
      request("GET", url).then(function (annotation) { openForm(null, annotation); })
        .catch(function (error) { say(error.message); });
    } else if (action.getAttribute("data-action") === "delete") {
      if (!window.confirm("Delete this note and its highlight?")) { return; }
      request("DELETE", url).then(function () {
        say("Note deleted.");
        return refresh(null);
      }).catch(function (error) { say(error.message); });
    }
  });

  showOwnActions();
  config.setAttribute("data-annotate-ready", "");
})();
