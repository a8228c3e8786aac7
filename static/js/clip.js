/* The clip page of the admin import: receives a page from the "Clip to Brief Archive"
   bookmarklet through postMessage and puts it into the import form (which carries this
   page's CSRF token); the curator presses Preview. A message is accepted only from the
   window that opened this page, with the expected type, string fields within the size
   limit, and a URL whose origin is the sender's: a page can clip only itself. */
(function () {
  "use strict";
  var form = document.getElementById("clip-form");
  if (!form) { return; }
  var type = form.getAttribute("data-message-type");
  var maxHtml = parseInt(form.getAttribute("data-max-html"), 10);
  var status = document.getElementById("clip-status");
  var submit = document.getElementById("clip-submit");
  var received = false;

  function originOf(url) {
    try {
      var parsed = new URL(url);
      return (parsed.protocol === "http:" || parsed.protocol === "https:") ? parsed.origin : null;
    } catch (error) {
      return null;
    }
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (received || !window.opener || event.source !== window.opener) { return; }
    if (!data || typeof data !== "object" || data.type !== type) { return; }
    if (typeof data.html !== "string" || typeof data.url !== "string") { return; }
    if (originOf(data.url) !== event.origin) { return; }
    event.source.postMessage(type + "-received", event.origin);
    received = true;
    if (new Blob([data.html]).size > maxHtml) {
      status.textContent = "This page is too large to clip (" +
        Math.round(data.html.length / 1048576) + " MB); save it and upload the file instead.";
      return;
    }
    // The HTML goes as a file: form fields have a far smaller size limit than uploads.
    var files = new DataTransfer();
    files.items.add(new File([data.html], "clipped-page.html", {type: "text/html"}));
    form.elements.clip_page.files = files.files;
    form.elements.clip_url.value = data.url;
    status.textContent = "Clipped " + data.url + " (" +
      Math.max(1, Math.round(data.html.length / 1024)) + " KB). Press Preview to read it.";
    submit.disabled = false;
    submit.focus();
  });
})();
