// Security keys and passkeys on the staff pages (the source pages run no script at all).
// A form marked data-webauthn="login" or "register" is shown only where the browser has
// WebAuthn: it fetches the ceremony's options from data-options, asks the authenticator, and
// posts the answer to its action. Every message shown comes translated from the page.
"use strict";

(function () {
  function toBytes(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  function toText(buffer) {
    let binary = "";
    new Uint8Array(buffer).forEach((b) => {
      binary += String.fromCharCode(b);
    });
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIds(list) {
    return (list || []).map((item) => Object.assign({}, item, { id: toBytes(item.id) }));
  }

  function creationOptions(json) {
    const options = Object.assign({}, json, { challenge: toBytes(json.challenge) });
    options.user = Object.assign({}, json.user, { id: toBytes(json.user.id) });
    options.excludeCredentials = withIds(json.excludeCredentials);
    return options;
  }

  function requestOptions(json) {
    const options = Object.assign({}, json, { challenge: toBytes(json.challenge) });
    options.allowCredentials = withIds(json.allowCredentials);
    return options;
  }

  function answer(credential) {
    const r = credential.response;
    const json = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toText(r.clientDataJSON) },
    };
    if (credential.authenticatorAttachment) {
      json.authenticatorAttachment = credential.authenticatorAttachment;
    }
    if (r.attestationObject) {
      json.response.attestationObject = toText(r.attestationObject);
      json.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      json.response.authenticatorData = toText(r.authenticatorData);
      json.response.signature = toText(r.signature);
      if (r.userHandle) {
        json.response.userHandle = toText(r.userHandle);
      }
    }
    return JSON.stringify(json);
  }

  class Refused extends Error {}

  async function post(url, fields) {
    const response = await fetch(url, {
      method: "POST",
      body: new URLSearchParams(fields),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    const data = await response.json();
    if (!response.ok) {
      throw new Refused(data.message || String(response.status));
    }
    return data;
  }

  function fields(form) {
    const values = {};
    new FormData(form).forEach((value, name) => {
      values[name] = value;
    });
    return values;
  }

  async function ceremony(form) {
    const values = fields(form);
    const options = await post(form.dataset.options, values);
    let credential;
    try {
      if (form.dataset.webauthn === "register") {
        credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
      } else {
        credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
      }
    } catch (error) {
      throw new Refused(form.dataset.cancelled);
    }
    values.credential = answer(credential);
    const done = await post(form.action, values);
    window.location.assign(done.next);
  }

  function setUp(form) {
    const error = form.querySelector("[data-webauthn-error]");
    const button = form.querySelector("button[type=submit]");
    form.hidden = false;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      error.hidden = true;
      button.disabled = true;
      ceremony(form).catch((failure) => {
        error.textContent = failure instanceof Refused ? failure.message : form.dataset.cancelled;
        error.hidden = false;
        button.disabled = false;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const forms = document.querySelectorAll("form[data-webauthn]");
    const supported = window.PublicKeyCredential && navigator.credentials;
    if (!supported) {
      const notice = document.getElementById("webauthn-unsupported");
      if (notice && forms.length) {
        notice.hidden = false;
      }
      return;
    }
    forms.forEach(setUp);
  });
})();
