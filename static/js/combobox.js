// The claim field as an ARIA 1.2 combobox (an input with a listbox popup) over the story's
// claims. The server renders a text input with a <datalist>, which works without this
// script; the datalist's options, in the server's order (the claim this editor used last
// in the story first), become the listbox's.
//
// Enter picks the highlighted claim and never submits the form. A statement no claim has
// becomes a new claim only through the explicit "Create new claim" row, which ticks the
// form's "This is a new claim" box; the server refuses an unknown statement without it.

// Text for matching: case, accents and spacing set aside.
export function fold(text) {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();
}

// How many matching claims the list shows at most; typing narrows it.
const SHOWN = 50;

export class ClaimCombobox {
  constructor(input, { newClaim }) {
    this.input = input;
    this.newClaim = newClaim;
    const datalist = document.getElementById(input.getAttribute("list"));
    this.claims = [...datalist.options].map((option) => ({
      statement: option.value,
      folded: fold(option.value),
      lastUsed: option.hasAttribute("data-last-used"),
    }));
    input.removeAttribute("list");
    datalist.remove();

    this.listbox = document.createElement("ul");
    this.listbox.id = `${input.id}-listbox`;
    this.listbox.className = "combobox-list";
    this.listbox.setAttribute("role", "listbox");
    this.listbox.setAttribute("aria-label", "Claims of this story");
    this.listbox.hidden = true;
    input.after(this.listbox);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.listbox.id);

    this.rows = [];
    this.active = -1;
    // The statement the "Create new claim" row was picked for: editing it takes the tick away.
    this.createdFor = null;

    input.addEventListener("input", () => this.onInput());
    input.addEventListener("keydown", (event) => this.onKeydown(event));
    input.addEventListener("blur", () => this.close());
    // Keep focus in the input while a row is clicked.
    this.listbox.addEventListener("mousedown", (event) => event.preventDefault());
    this.listbox.addEventListener("click", (event) => {
      const row = event.target.closest("[role=option]");
      if (row) this.pick(this.rows[Number(row.dataset.index)]);
    });
  }

  get isOpen() {
    return !this.listbox.hidden;
  }

  matching(text) {
    const words = fold(text).split(" ").filter(Boolean);
    return this.claims.filter((claim) => words.every((word) => claim.folded.includes(word)));
  }

  render() {
    const typed = this.input.value.trim().replace(/\s+/g, " ");
    const matches = this.matching(typed);
    this.rows = matches.slice(0, SHOWN).map((claim) => ({ ...claim, create: false }));
    if (typed && !matches.some((claim) => claim.folded === fold(typed))) {
      this.rows.push({ statement: typed, create: true });
    }
    this.listbox.replaceChildren(
      ...this.rows.map((row, index) => {
        const item = document.createElement("li");
        item.id = `${this.listbox.id}-${index}`;
        item.dataset.index = index;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        if (row.create) {
          item.className = "create-option";
          item.textContent = `Create new claim “${row.statement}”`;
        } else {
          item.textContent = row.statement;
          if (row.lastUsed) {
            const note = document.createElement("span");
            note.className = "option-note";
            note.textContent = " (last used)";
            item.append(note);
          }
        }
        return item;
      }),
    );
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    return matches;
  }

  open() {
    const matches = this.render();
    if (!this.rows.length) {
      this.close();
      return matches;
    }
    this.listbox.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    return matches;
  }

  close() {
    this.listbox.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.active = -1;
  }

  highlight(index) {
    if (!this.rows.length) return;
    this.active = (index + this.rows.length) % this.rows.length;
    for (const item of this.listbox.children) {
      item.setAttribute("aria-selected", String(Number(item.dataset.index) === this.active));
    }
    const item = this.listbox.children[this.active];
    this.input.setAttribute("aria-activedescendant", item.id);
    item.scrollIntoView({ block: "nearest" });
  }

  pick(row) {
    this.input.value = row.statement;
    this.newClaim.checked = row.create;
    this.createdFor = row.create ? row.statement : null;
    this.close();
  }

  // The form was emptied.
  reset() {
    this.close();
    this.createdFor = null;
  }

  // The highlighted row, if any, is taken (before the form is sent with Ctrl+Enter).
  commit() {
    if (this.isOpen && this.active >= 0) this.pick(this.rows[this.active]);
  }

  onInput() {
    if (this.createdFor !== null && this.input.value !== this.createdFor) {
      this.newClaim.checked = false;
      this.createdFor = null;
    }
    if (this.input.value.trim()) this.open();
    else this.close();
  }

  onKeydown(event) {
    if (event.ctrlKey || event.metaKey) return;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!this.isOpen) this.open();
        if (!event.altKey) this.highlight(this.active + 1);
        break;
      case "ArrowUp":
        event.preventDefault();
        if (!this.isOpen) this.open();
        this.highlight(this.active <= 0 ? this.rows.length - 1 : this.active - 1);
        break;
      case "Enter":
        event.preventDefault();
        this.onEnter();
        break;
      case "Escape":
        // The first Escape closes the list; the next one reaches the form and closes it.
        if (this.isOpen) {
          event.preventDefault();
          event.stopPropagation();
          this.close();
        }
        break;
      case "Tab":
        this.close();
        break;
    }
  }

  // Enter never submits: it takes the highlighted row, or the only claim that matches, or
  // else opens the list (with "Create new claim" highlighted when no claim matches).
  onEnter() {
    if (this.isOpen && this.active >= 0) {
      this.pick(this.rows[this.active]);
      return;
    }
    const typed = this.input.value.trim();
    const matches = this.open();
    if (!typed) return;
    const exact = matches.find((claim) => claim.folded === fold(typed));
    if (exact || matches.length === 1) {
      this.pick({ ...(exact || matches[0]), create: false });
    } else if (matches.length === 0) {
      this.highlight(this.rows.length - 1);
    }
  }
}
