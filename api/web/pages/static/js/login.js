// The login form both page shells use: the OAuth2 password flow of POST /api/v1/auth/token.

import { logIn } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

const LAST_USER_KEY = "tongxin.lastUser";

/** Remember a username for the next login form (after a registration). */
export function rememberUsername(username) {
  sessionStorage.setItem(LAST_USER_KEY, username);
}

/** A login card; ``onDone`` runs once the token is kept. */
export function loginForm({ title, subtitle, onDone, footer }) {
  const username = h("input", {
    type: "text",
    name: "username",
    autocomplete: "username",
    required: true,
    value: sessionStorage.getItem(LAST_USER_KEY) || "",
  });
  const password = h("input", {
    type: "password",
    name: "password",
    autocomplete: "current-password",
    required: true,
  });
  const message = h("div", { class: "error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit", class: "primary", "data-test": "login-submit" }, t("login.submit"));
  const form = h(
    "form",
    {
      class: "stack",
      onsubmit: async (event) => {
        event.preventDefault();
        message.hidden = true;
        submit.disabled = true;
        try {
          await logIn(username.value.trim(), password.value);
          sessionStorage.removeItem(LAST_USER_KEY);
          await onDone();
        } catch (error) {
          message.textContent = error.message;
          message.hidden = false;
        } finally {
          submit.disabled = false;
        }
      },
    },
    h("label", {}, t("login.username"), username),
    h("label", {}, t("login.password"), password),
    message,
    submit,
  );
  return h(
    "section",
    { class: "card login-card", "data-page": "login" },
    h("h1", {}, h("img", { class: "brand-mark", src: "/static/img/tongxin.svg", alt: "" }), title),
    subtitle ? h("p", { class: "muted" }, subtitle) : null,
    form,
    footer || null,
  );
}
