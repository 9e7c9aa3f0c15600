// 消息: the member's inbox (GET /me/messages), newest first, a page at a time; opening an
// unread message marks it read (POST /me/messages/{id}/read) and the tab's badge follows.

import { api } from "../api.js";
import { h, mount, pager } from "../dom.js";
import { clockOf, localDayOf, shortDay } from "../format.js";
import { t } from "../i18n.js";

const PAGE_SIZE = 20;
const badges = new Set();

/** The unread count on the tab; every badge on the page follows it. */
export function badge() {
  const element = h("span", { class: "badge late unread-count", "data-test": "unread-count", hidden: true });
  badges.add(element);
  refreshBadge();
  return element;
}

export async function refreshBadge() {
  try {
    const inbox = await api(`/me/messages?limit=1`);
    showUnread(inbox.unread);
  } catch {
    // the badge is a hint; the page itself says what went wrong
  }
}

function showUnread(count) {
  const line = document.querySelector("[data-test=unread-line]");
  if (line) line.textContent = count ? t("messages.unread", { n: count }) : "";
  for (const element of badges) {
    if (!element.isConnected) {
      badges.delete(element);
      continue;
    }
    element.hidden = count === 0;
    element.textContent = count > 99 ? "99+" : String(count);
    element.setAttribute("aria-label", t("messages.badge", { n: count }));
  }
}

export function render() {
  const root = h("section", { class: "stack", "data-page": "messages" }, h("p", {}, t("common.loading")));
  const load = (offset = 0) =>
    api(`/me/messages?limit=${PAGE_SIZE}&offset=${offset}`)
      .then((inbox) => {
        showUnread(inbox.unread);
        mount(root, ...page(inbox, offset, load));
      })
      .catch((error) => mount(root, h("div", { class: "error" }, error.message)));
  load();
  return root;
}

function page(inbox, offset, load) {
  return [
    h("h1", {}, t("messages.title")),
    h("p", { class: "muted", "data-test": "unread-line" }, inbox.unread ? t("messages.unread", { n: inbox.unread }) : ""),
    inbox.items.length
      ? h("ul", { class: "cards" }, inbox.items.map((message) => card(message)))
      : h("p", { class: "notice" }, t("messages.none")),
    pager(inbox, { offset, size: PAGE_SIZE, turn: load }),
  ];
}

function card(message) {
  const body = h("div", { class: "message-body", hidden: true }, ...message.body.split("\n").map((line) => h("p", {}, line)));
  if (message.link) body.append(h("a", { href: message.link, class: "button small" }, t("messages.open")));
  const mark = message.unread ? h("span", { class: "badge late" }, t("messages.unreadMark")) : null;
  const item = h(
    "li",
    { class: message.unread ? "card message unread" : "card message", "data-test": "message", "data-kind": message.kind },
    h(
      "button",
      {
        type: "button",
        class: "message-head",
        "aria-expanded": "false",
        onclick: async (event) => {
          const head = event.currentTarget;
          body.hidden = !body.hidden;
          head.setAttribute("aria-expanded", String(!body.hidden));
          if (message.unread) {
            message.unread = false;
            item.classList.remove("unread");
            mark?.remove();
            await api(`/me/messages/${message.id}/read`, { method: "POST" });
            refreshBadge();
          }
        },
      },
      h("strong", {}, message.subject),
      " ",
      mark,
      h("span", { class: "muted message-time" }, `${shortDay(localDayOf(message.created_at))} ${clockOf(message.created_at)}`),
    ),
    body,
  );
  return item;
}
