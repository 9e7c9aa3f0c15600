// Importing a sheet (the roster, the place directory): choose a file, 检查 (a dry run:
// counts, nothing written) or 导入; a refused file lists every bad cell with its row, column,
// value and reason, as the API gives them (422 with ``rows``).

import { api } from "../api.js";
import { h, mount } from "../dom.js";
import { lang, t } from "../i18n.js";

/** The one-line summary of a refused file (the 422's ``detail``), without the field name. */
function summary(error) {
  if (Array.isArray(error.detail) && error.detail.length) return error.detail.map((item) => item.msg).join("\n");
  return error.message || t("roster.refused");
}

/**
 * A card that uploads a sheet to ``path`` (POST, multipart ``file``, ``?dry_run=``).
 * ``prefix`` names its parts for the tests (``{prefix}-file``, ``-check``, ``-import``,
 * ``-result``); ``outcome(answer)`` words a good answer; ``done()`` runs after an import.
 */
export function importCard({ path, prefix, accept, title, hint, fileLabel, outcome, done, extra = null }) {
  const file = h("input", { type: "file", name: "file", accept, "data-test": `${prefix}-file` });
  const result = h("div", { class: "roster-result", "data-test": `${prefix}-result`, "aria-live": "polite" });
  const check = h("button", { type: "button", "data-test": `${prefix}-check`, onclick: () => send(true) }, t("roster.check"));
  const submit = h("button", { type: "button", class: "primary", "data-test": `${prefix}-import`, onclick: () => send(false) }, t("roster.import"));

  async function send(dryRun) {
    if (!file.files.length) {
      mount(result, h("div", { class: "error" }, t("roster.chooseFile")));
      return;
    }
    const form = new FormData();
    form.append("file", file.files[0]);
    check.disabled = submit.disabled = true;
    mount(result, h("p", { class: "muted" }, t("roster.working")));
    try {
      const answer = await api(path, { method: "POST", form, query: { dry_run: dryRun } });
      mount(result, h("div", { class: "success", "data-outcome": answer.dry_run ? "checked" : "imported" }, outcome(answer)));
      if (!answer.dry_run) done();
    } catch (error) {
      if (error.rows && error.rows.length) {
        mount(
          result,
          h("div", { class: "error", "data-outcome": "refused" }, summary(error)),
          h("table", { class: "bad-rows", "data-test": "bad-rows" },
            h("thead", {}, h("tr", {}, h("th", { class: "num" }, t("roster.row")), h("th", {}, t("roster.column")), h("th", {}, t("roster.value")), h("th", {}, t("roster.reason")))),
            h("tbody", {}, error.rows.map((row) =>
              h("tr", { "data-row": row.row },
                h("td", { class: "num" }, row.row),
                h("td", {}, row.column ?? ""),
                h("td", {}, row.value ?? ""),
                h("td", {}, lang() === "en" && row.msg_en ? row.msg_en : row.msg),
              ),
            )),
          ),
        );
      } else {
        mount(result, h("div", { class: "error", "data-outcome": "refused" }, error.message));
      }
    } finally {
      check.disabled = submit.disabled = false;
    }
  }

  return h("div", { class: "card stack", "data-test": prefix },
    h("h2", {}, title),
    h("p", { class: "muted small-text" }, hint),
    extra,
    h("label", {}, fileLabel, file),
    h("div", { class: "field-row" }, check, submit),
    result,
  );
}
