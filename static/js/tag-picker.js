// The tag field of the annotate and edit forms. The server renders a plain input of
// comma-separated names, which works without this script; here it becomes toggle
// buttons for the vocabulary's first nine tags, chips for any other tag, and an input
// that adds one name at a time. The keys 1–9 switch the nine tags on and off, but only
// while focus is inside the tag group, so a single key never acts from elsewhere
// (WCAG 2.1.4, character key shortcuts).

export function tagName(raw) {
  return raw.trim().replace(/\s+/g, " ").toLowerCase();
}

export class TagPicker {
  constructor(root) {
    this.root = root;
    this.keys = [...root.querySelectorAll("[data-tag-keys] [data-tag]")];
    this.chips = root.querySelector("[data-tag-chips]");
    this.input = root.querySelector("input[name=tags]");
    // The form posts the names from a hidden input; the visible one takes one name at a time.
    this.value = document.createElement("input");
    this.value.type = "hidden";
    this.value.name = "tags";
    this.input.removeAttribute("name");
    root.append(this.value);
    root.querySelector("[data-tag-keys]").hidden = this.keys.length === 0;
    this.chips.hidden = false;
    root.querySelector("[data-tag-label]").textContent = "Add another tag";
    if (this.keys.length) {
      root.querySelector("[data-tag-help]").textContent =
        `In this group, keys 1 to ${this.keys.length} switch the numbered tags on and off; ` +
        "type another tag and press Enter to add it.";
    }
    const initial = this.input.value;
    this.input.value = "";
    for (const name of initial.split(",")) this.add(name);

    for (const key of this.keys) key.addEventListener("click", () => this.toggle(key));
    root.addEventListener("keydown", (event) => this.onKeydown(event));
    // Picking a suggestion from the list adds it at once.
    this.input.addEventListener("change", () => this.commitTyped());
  }

  onKeydown(event) {
    const plain = !event.ctrlKey && !event.metaKey && !event.altKey;
    const typing = event.target === this.input && this.input.value !== "";
    if (plain && /^[1-9]$/.test(event.key) && !typing) {
      const key = this.keys[Number(event.key) - 1];
      if (key) {
        event.preventDefault();
        this.toggle(key);
      }
    } else if (event.target === this.input && plain && (event.key === "Enter" || event.key === ",")) {
      // Enter adds the typed tag; it must not submit the form.
      event.preventDefault();
      this.commitTyped();
    } else if (event.target === this.input && event.key === "Backspace" && !this.input.value) {
      this.chips.lastElementChild?.remove();
    }
  }

  toggle(key, pressed = key.getAttribute("aria-pressed") !== "true") {
    key.setAttribute("aria-pressed", String(pressed));
  }

  keyFor(name) {
    return this.keys.find((key) => key.dataset.tag.toLowerCase() === name);
  }

  add(raw) {
    const name = tagName(raw);
    if (!name) return;
    const key = this.keyFor(name);
    if (key) {
      this.toggle(key, true);
      return;
    }
    if (this.names().includes(name)) return;
    const chip = document.createElement("li");
    chip.className = "tag-chip";
    chip.dataset.tag = name;
    chip.textContent = name;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "chip-remove";
    remove.textContent = "×";
    remove.setAttribute("aria-label", `Remove tag ${name}`);
    remove.addEventListener("click", () => {
      chip.remove();
      this.input.focus();
    });
    chip.append(" ", remove);
    this.chips.append(chip);
  }

  commitTyped() {
    if (this.input.value.trim()) this.add(this.input.value);
    this.input.value = "";
  }

  names() {
    const pressed = this.keys
      .filter((key) => key.getAttribute("aria-pressed") === "true")
      .map((key) => key.dataset.tag);
    return [...pressed, ...[...this.chips.querySelectorAll("[data-tag]")].map((c) => c.dataset.tag)];
  }

  // Before the form is sent: a name still in the input counts, and the hidden value follows.
  sync() {
    this.commitTyped();
    this.value.value = this.names().join(",");
  }

  reset() {
    for (const key of this.keys) this.toggle(key, false);
    this.chips.replaceChildren();
    this.input.value = "";
    this.value.value = "";
  }

  focus(options) {
    this.input.focus(options);
  }
}
