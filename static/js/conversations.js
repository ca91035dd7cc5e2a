// Conversations on pulse comments (pulse/conversations.py). The keys live in this
// browser only, and go to the server without cookies, so no request ever carries a
// key and a session together.
(function () {
  "use strict";
  var STORE = "hearth.conversationKeys";

  function keys() {
    try {
      return JSON.parse(window.localStorage.getItem(STORE) || "[]");
    } catch (error) {
      return [];
    }
  }

  function keep(key) {
    var all = keys();
    if (key && all.indexOf(key) === -1) {
      all.push(key);
      window.localStorage.setItem(STORE, JSON.stringify(all.slice(-50)));
    }
  }

  document.querySelectorAll("[data-conversation-key]").forEach(function (element) {
    keep(element.getAttribute("data-conversation-key"));
  });

  var box = document.getElementById("conversations");
  if (!box) {
    return;
  }

  function send(url, fields) {
    return fetch(url, {
      method: "POST",
      credentials: "omit",
      body: new URLSearchParams(fields),
    }).then(function (reply) {
      return reply.text().then(function (text) {
        return { ok: reply.ok, text: text };
      });
    });
  }

  function load() {
    var all = keys();
    if (!all.length) {
      box.textContent = box.getAttribute("data-empty");
      return;
    }
    send(box.getAttribute("data-read"), { keys: all.join("\n") }).then(function (answer) {
      box.innerHTML = answer.text;
    });
  }

  box.addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    var fields = { key: form.getAttribute("data-key"), text: form.elements.text.value };
    send(box.getAttribute("data-answer"), fields).then(function (answer) {
      if (answer.ok) {
        load();
      } else {
        form.querySelector(".error").textContent = answer.text;
      }
    });
  });

  var adding = document.getElementById("add-key");
  if (adding) {
    adding.addEventListener("submit", function (event) {
      event.preventDefault();
      keep(adding.elements.key.value.trim());
      adding.reset();
      load();
    });
  }

  load();
})();
