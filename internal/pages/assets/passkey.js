// passkey.js runs the passkey ceremonies of the hosted pages. Each passkey
// form (form[data-passkey]) is rendered hidden and works only through this
// script: it asks the server for options (POST to the form's data-begin),
// lets the browser create or use a passkey, puts the credential's JSON in the
// form and submits it, so that the server answers with an ordinary page.
// Where WebAuthn or its JSON helpers are missing the forms stay hidden and
// the pages work as they do without JavaScript.
(() => {
  "use strict";
  const PKC = window.PublicKeyCredential;
  if (!PKC || !navigator.credentials || typeof PKC.parseCreationOptionsFromJSON !== "function" ||
      typeof PKC.parseRequestOptionsFromJSON !== "function") {
    return;
  }

  // A refusal the server explained in the reader's language.
  class Refused extends Error {}

  const begin = async (form) => {
    const res = await fetch(form.dataset.begin, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    let body = {};
    try {
      body = await res.json();
    } catch {
      // An answer that is not JSON: a proxy's error page.
    }
    if (!res.ok || !body.publicKey) {
      throw new Refused(body.error || form.dataset.errorFailed);
    }
    return body;
  };

  const status = (form) => form.querySelector("[data-passkey-status]");

  const show = (form, err) => {
    let text = form.dataset.errorFailed;
    if (err instanceof Refused) {
      text = err.message;
    } else if (err && err.name === "NotAllowedError") {
      text = form.dataset.errorCancelled;
    } else if (err && err.name === "InvalidStateError" && form.dataset.passkey === "register") {
      text = form.dataset.errorExists;
    }
    const p = status(form);
    p.textContent = text;
    p.hidden = false;
  };

  const finish = (form, ticket, credential) => {
    form.elements.ticket.value = ticket;
    form.elements.credential.value = JSON.stringify(credential.toJSON());
    form.submit();
  };

  // The ceremony a form's button starts.
  const ceremony = async (form, signal) => {
    const { ticket, publicKey } = await begin(form);
    if (form.dataset.passkey === "register") {
      const cred = await navigator.credentials.create({ publicKey: PKC.parseCreationOptionsFromJSON(publicKey) });
      finish(form, ticket, cred);
      return;
    }
    const cred = await navigator.credentials.get({ publicKey: PKC.parseRequestOptionsFromJSON(publicKey), signal });
    finish(form, ticket, cred);
  };

  // conditional offers passkeys in the login field's autofill: the request
  // waits until the user picks one there, or until the button aborts it.
  const conditional = async (form, signal) => {
    if (typeof PKC.isConditionalMediationAvailable !== "function" || !(await PKC.isConditionalMediationAvailable())) {
      return;
    }
    const { ticket, publicKey } = await begin(form);
    const cred = await navigator.credentials.get({
      mediation: "conditional",
      publicKey: PKC.parseRequestOptionsFromJSON(publicKey),
      signal,
    });
    finish(form, ticket, cred);
  };

  for (const form of document.querySelectorAll("form[data-passkey]")) {
    let waiting = null;
    if (form.dataset.conditional !== undefined) {
      waiting = new AbortController();
      conditional(form, waiting.signal).catch((err) => {
        // Aborted for the button, or no autofill: the button remains.
        if (err && err.name !== "AbortError" && err.name !== "NotAllowedError") {
          show(form, err);
        }
      });
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (waiting) {
        waiting.abort();
        waiting = null;
      }
      status(form).hidden = true;
      const button = form.querySelector("button");
      button.disabled = true;
      ceremony(form)
        .catch((err) => show(form, err))
        .finally(() => {
          button.disabled = false;
        });
    });
    form.hidden = false;
  }
})();
