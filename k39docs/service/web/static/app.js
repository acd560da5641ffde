// The clerks' page of k39docs serve: plain JavaScript over the service's own API (/api/v1/…).
// No framework, no build step, nothing loaded from elsewhere: the service works offline.
"use strict";

(() => {
  const API = "api/v1/";
  const TOKEN_KEY = "k39docs-token";
  const $ = (id) => document.getElementById(id);
  const tokenNeeded = document.body.dataset.tokenNeeded === "true";

  const STATUS = {
    pass: { sym: "✓", word: "đạt" },
    fail: { sym: "✗", word: "không đạt" },
    review: { sym: "?", word: "cần xem xét" },
    pending: { sym: "…", word: "chờ kết quả" },
  };
  const OVERALL = {
    pass: "Đủ điều kiện",
    fail: "Không đủ điều kiện",
    review: "Cần xem xét",
  };
  // top-level fields of the dossier, for grouping errors that are not a candidate's
  const SECTIONS = {
    issuer: "Cơ quan ban hành", department: "Cơ quan tham mưu", course: "Khóa bồi dưỡng",
    documents: "Văn bản", signing: "Ký số", legal_basis: "Căn cứ",
  };

  const state = {
    result: null, // the last validate JSON (200)
    review: {}, // {candidate id: {reviewed: {rule: note}, exception: {rules, reason}}}
    schema: null,
    job: null, // {id, dossier}
    pollTimer: null,
  };

  // --- small helpers ------------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function slug(text) {
    return String(text).replace(/[^A-Za-z0-9_-]/g, "_");
  }

  function say(target, kind, ...content) {
    const box = typeof target === "string" ? $(target) : target;
    box.replaceChildren(el("div", { class: `note note-${kind}` }, ...content));
  }

  function vnDateTime(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    const two = (n) => String(n).padStart(2, "0");
    return `${two(d.getDate())}/${two(d.getMonth() + 1)}/${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}`;
  }

  function busy(button, on, text) {
    if (on) {
      button.dataset.label = button.textContent;
      button.textContent = text;
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
    } else {
      if (button.dataset.label) button.textContent = button.dataset.label;
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  }

  // --- the token (K39_API_TOKEN): asked once, kept in this tab's sessionStorage -------------

  function token() {
    return sessionStorage.getItem(TOKEN_KEY) || "";
  }

  let asking = null;
  function askToken(message) {
    if (asking) return asking;
    const dialog = $("hop-ma");
    const error = $("ma-loi");
    error.hidden = !message;
    error.textContent = message || "";
    $("ma-truy-cap").value = "";
    asking = new Promise((resolve) => {
      const form = $("form-ma");
      const done = (event) => {
        event.preventDefault();
        const value = $("ma-truy-cap").value.trim();
        if (!value) return;
        sessionStorage.setItem(TOKEN_KEY, value);
        form.removeEventListener("submit", done);
        dialog.close();
        asking = null;
        $("doi-ma").hidden = false;
        resolve();
      };
      form.addEventListener("submit", done);
    });
    if (!dialog.open) dialog.showModal();
    $("ma-truy-cap").focus();
    return asking;
  }

  async function api(path, options = {}) {
    for (;;) {
      if (tokenNeeded && !token()) await askToken();
      const headers = new Headers(options.headers || {});
      if (token()) headers.set("Authorization", `Bearer ${token()}`);
      const answer = await fetch(path, { ...options, headers });
      if (answer.status !== 401) return answer;
      const hadToken = Boolean(token());
      sessionStorage.removeItem(TOKEN_KEY);
      await askToken(hadToken ? "Mã truy cập không đúng, mời nhập lại." : null);
    }
  }

  async function problemOf(answer) {
    try {
      return await answer.json();
    } catch {
      return { title: `Lỗi ${answer.status}`, detail: answer.statusText || "máy chủ trả lời không đọc được" };
    }
  }

  function offline(target, error) {
    say(target, "error", el("strong", {}, "Không kết nối được máy chủ. "),
      "Kiểm tra mạng rồi thử lại; nếu vẫn lỗi, báo quản trị viên. ", el("span", { class: "hint" }, `(${error.message || error})`));
  }

  // --- field titles from the JSON Schema (Vietnamese) ---------------------------------------

  async function loadSchema() {
    if (state.schema) return state.schema;
    try {
      const answer = await api(`${API}schema`);
      if (answer.ok) state.schema = await answer.json();
    } catch { /* titles are a help, not a need */ }
    return state.schema;
  }

  function fieldTitles(path) {
    const schema = state.schema;
    if (!schema || !path) return [];
    const deref = (node) => {
      let n = node;
      for (let i = 0; n && n.$ref && i < 10; i++) n = schema.$defs[n.$ref.split("/").pop()];
      return n;
    };
    const inner = (node) => {
      const n = deref(node);
      if (n && n.anyOf) return deref(n.anyOf.find((a) => a.type !== "null") || n.anyOf[0]);
      return n;
    };
    const titles = [];
    let node = schema;
    const parts = path.replace(/\[(\d+)\]/g, ".$1").split(".").filter(Boolean);
    for (const part of parts) {
      node = inner(node);
      if (!node) break;
      if (/^\d+$/.test(part)) {
        node = node.items;
        continue;
      }
      const prop = node.properties && node.properties[part];
      if (!prop) break;
      const title = prop.title || (inner(prop) || {}).title;
      if (title) titles.push({ key: part, title });
      node = prop;
    }
    return titles;
  }

  // --- 1. upload and validate ---------------------------------------------------------------

  function collectReview() {
    const review = {};
    const problems = [];
    for (const box of document.querySelectorAll("#xem-xet textarea[data-rule]")) {
      const note = box.value.trim();
      if (!note) continue;
      const entry = (review[box.dataset.cid] ||= {});
      (entry.reviewed ||= {})[box.dataset.rule] = note;
    }
    for (const group of document.querySelectorAll("#xem-xet fieldset.exception")) {
      const cid = group.dataset.cid;
      const rules = [...group.querySelectorAll("input[type=checkbox]:checked")].map((c) => c.value);
      const reason = group.querySelector("textarea").value.trim();
      if (rules.length && reason) (review[cid] ||= {}).exception = { rules, reason };
      else if (rules.length) problems.push({ cid, field: group.querySelector("textarea"), text: "Ghi lý do đề nghị ngoại lệ." });
      else if (reason) problems.push({ cid, field: group.querySelector("input[type=checkbox]"), text: "Chọn điều kiện được đề nghị ngoại lệ." });
    }
    return { review, problems };
  }

  function dossierForm() {
    const file = $("tep-ho-so").files[0];
    const form = new FormData();
    form.append("dossier", file, file.name);
    for (const extra of $("tep-kem-theo").files) form.append("files", extra, extra.name);
    if (Object.keys(state.review).length) form.append("review", JSON.stringify(state.review));
    return form;
  }

  function resetAfterUpload() {
    state.result = null;
    state.review = {};
    state.job = null;
    clearTimeout(state.pollTimer);
    $("buoc-loi").hidden = true;
    $("buoc-dieu-kien").hidden = true;
    $("buoc-tao").hidden = true;
    $("xem-xet").replaceChildren();
    $("trang-thai-kiem-tra").replaceChildren();
  }

  async function validate({ keepReview = false } = {}) {
    const file = $("tep-ho-so").files[0];
    if (!file) {
      say("trang-thai-kiem-tra", "error", "Chọn tệp hồ sơ trước.");
      $("tep-ho-so").focus();
      return;
    }
    if (keepReview) {
      const { review, problems } = collectReview();
      for (const p of document.querySelectorAll("#xem-xet .field-error")) p.remove();
      if (problems.length) {
        for (const p of problems) p.field.closest("fieldset").append(el("p", { class: "field-error error-text", role: "alert" }, p.text));
        problems[0].field.focus();
        return;
      }
      state.review = review;
    } else {
      state.review = {};
    }
    const button = keepReview ? $("nut-kiem-tra-lai") : $("nut-kiem-tra");
    busy(button, true, "Đang kiểm tra…");
    say("trang-thai-kiem-tra", "info", `Đang kiểm tra “${file.name}”…`);
    try {
      await loadSchema();
      const answer = await api(`${API}validate`, { method: "POST", body: dossierForm() });
      if (answer.ok) {
        showResult(await answer.json(), file.name);
      } else {
        showProblem(await problemOf(answer), file.name);
      }
    } catch (error) {
      offline("trang-thai-kiem-tra", error);
    } finally {
      busy(button, false);
    }
  }

  // --- errors next to their field or cell ---------------------------------------------------

  function whereText(issue) {
    const bits = [];
    if (issue.cell) bits.push(`Ô ${issue.cell}`);
    if (issue.path) bits.push(`trường ${issue.path}${issue.line ? ` (dòng ${issue.line})` : ""}`);
    else if (issue.line) bits.push(`dòng ${issue.line}`);
    return bits.join(" / ") || "Tệp hồ sơ";
  }

  function candidateLabel(index) {
    const known = state.result && state.result.candidates && state.result.candidates[index];
    return known ? `Ứng viên thứ ${index + 1}: ${known.full_name} (${known.id})` : `Ứng viên thứ ${index + 1}`;
  }

  function groupOf(issue) {
    const path = issue.path || "";
    let m = path.match(/^candidates\[(\d+)\]/);
    if (m) return { key: `c${m[1]}`, order: 100 + Number(m[1]), label: candidateLabel(Number(m[1])) };
    m = path.match(/^review\.([^.]+)/);
    if (m) return { key: `r${m[1]}`, order: 90, label: `Ý kiến xem xét, ngoại lệ đã ghi cho ứng viên ${m[1]}` };
    const top = path.split(/[.[]/)[0];
    if (top === "candidates") return { key: "cands", order: 99, label: "Danh sách ứng viên" };
    if (SECTIONS[top]) return { key: `s${top}`, order: 10, label: `Thông tin chung — ${SECTIONS[top]}` };
    return { key: "general", order: 0, label: "Thông tin chung của hồ sơ" };
  }

  function showProblem(problem, fileName) {
    const issues = Array.isArray(problem.issues) ? problem.issues : [];
    $("buoc-dieu-kien").hidden = true;
    $("buoc-tao").hidden = true;
    if (!issues.length) {
      $("buoc-loi").hidden = true;
      say("trang-thai-kiem-tra", "error", el("strong", {}, `${problem.title || "Lỗi"}: `), problem.detail || "");
      return;
    }
    say("trang-thai-kiem-tra", "error", el("strong", {}, `“${fileName}” chưa hợp lệ: `),
      `${issues.length} lỗi cần sửa (xem danh sách bên dưới).`);
    const groups = new Map();
    for (const issue of issues) {
      const g = groupOf(issue);
      if (!groups.has(g.key)) groups.set(g.key, { ...g, issues: [] });
      groups.get(g.key).issues.push(issue);
    }
    const list = $("danh-sach-loi");
    list.replaceChildren();
    const missingFile = issues.some((i) => /chưa tải lên tệp/.test(i.message));
    for (const g of [...groups.values()].sort((a, b) => a.order - b.order)) {
      const id = `loi-${slug(g.key)}`;
      const items = g.issues.map((issue) => {
        const titles = fieldTitles(issue.path).filter((t) => t.key !== "candidates").map((t) => t.title);
        return el("li", { class: "issue", "data-path": issue.path || "", "data-cell": issue.cell || "" },
          el("span", { class: "where" }, whereText(issue)),
          titles.length ? el("span", { class: "field-name" }, titles.join(" › ")) : null,
          el("span", { class: "message" }, issue.message));
      });
      list.append(el("section", { class: "issue-group", "aria-labelledby": id },
        el("h3", { id }, g.label), el("ul", {}, items)));
    }
    if (missingFile) {
      list.append(el("p", { class: "note note-info" }, "Tệp hồ sơ ghi tên một ảnh hoặc bản quét chưa gửi: chọn tệp đó ở ô “Ảnh chữ ký, con dấu, bản quét kèm theo” rồi bấm “Kiểm tra hồ sơ”."));
    }
    $("buoc-loi").hidden = false;
    $("tieu-de-loi").focus();
  }

  // --- 2. the eligibility table -------------------------------------------------------------

  function showResult(result, fileName) {
    state.result = result;
    $("buoc-loi").hidden = true;
    if (result.purpose === "return") {
      $("buoc-dieu-kien").hidden = true;
      const warnings = (result.warnings || []).map((w) => el("li", {}, w));
      say("trang-thai-kiem-tra", "ok", el("strong", {}, `“${fileName}” hợp lệ`),
        " — hồ sơ báo cáo kết quả sau khóa học (không đối chiếu điều kiện).",
        warnings.length ? el("ul", {}, warnings) : null);
      showRenderStep(true, "Hồ sơ báo cáo đã hợp lệ: bấm “Tạo hồ sơ” để tạo công văn và các báo cáo.");
      return;
    }
    const cands = result.candidates || [];
    const count = (s) => cands.filter((c) => c.status === s).length;
    const excepted = (result.exceptions || []).length;
    let verdict;
    if (result.eligible) verdict = `Tất cả ${cands.length} ứng viên đủ điều kiện.`;
    else {
      const bits = [];
      if (count("fail")) bits.push(`${count("fail")} ứng viên không đủ điều kiện`);
      if (count("review")) bits.push(`${count("review")} ứng viên cần người có thẩm quyền xem xét`);
      if (excepted) bits.push(`${excepted} ứng viên đề nghị ngoại lệ`);
      verdict = `${count("pass")}/${cands.length} ứng viên đủ điều kiện; ${bits.join("; ")}.`;
    }
    say("trang-thai-kiem-tra", result.eligible ? "ok" : "warn", el("strong", {}, `“${fileName}” hợp lệ. `), verdict);
    $("tom-tat-dieu-kien").replaceChildren(
      el("p", {}, `Hồ sơ ${result.dossier} · khóa ${courseName(result.course_type)} · bắt đầu ${vnDate(result.course_start)}`));
    drawTable(result);
    drawReview(result);
    $("buoc-dieu-kien").hidden = false;
    if (result.issuable) {
      showRenderStep(true, excepted
        ? "Hồ sơ tạo được: các ứng viên đề nghị ngoại lệ được ghi rõ trong văn bản để Ban Chỉ đạo quyết định."
        : "Hồ sơ đủ điều kiện: bấm “Tạo hồ sơ” để tạo các văn bản, ghép và ký số.");
    } else {
      showRenderStep(false, "Chưa tạo được hồ sơ: còn ứng viên không đạt hoặc cần xem xét. Ghi ý kiến xem xét hoặc đề nghị ngoại lệ ở mục 2, bấm “Kiểm tra lại với các ý kiến đã ghi”.");
    }
  }

  function courseName(type) {
    return { ngan_han: "ngắn hạn", trung_han: "trung hạn", dai_han: "dài hạn" }[type] || type || "";
  }

  function vnDate(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? `${m[3]}/${m[2]}/${m[1]}` : iso || "";
  }

  function ruleInfo(result) {
    const info = {};
    for (const c of result.candidates || []) {
      for (const k of c.checks) if (!info[k.rule]) info[k.rule] = { title: k.title, source: k.source };
    }
    return info;
  }

  function drawTable(result) {
    const info = ruleInfo(result);
    const rules = result.rules || Object.keys(info);
    const table = $("bang-dieu-kien");
    table.tHead.replaceChildren(el("tr", {},
      el("th", { scope: "col", class: "name" }, "Ứng viên"),
      el("th", { scope: "col", class: "overall" }, "Kết quả"),
      rules.map((r) => el("th", { scope: "col", class: "rule", title: info[r] ? `${info[r].title} — căn cứ: ${info[r].source}` : r },
        el("span", { class: "code" }, r), info[r] ? el("span", { class: "rule-title" }, info[r].title) : null))));
    const rows = (result.candidates || []).map((c) => {
      const byRule = Object.fromEntries(c.checks.map((k) => [k.rule, k]));
      const overall = OVERALL[c.status] || c.status;
      return el("tr", { "data-candidate": c.id },
        el("th", { scope: "row", class: "name" }, c.full_name, el("span", { class: "cid" }, c.id)),
        el("td", { class: `overall st-${c.status}` }, overall, c.exception ? el("span", { class: "cid" }, "đề nghị ngoại lệ") : null),
        rules.map((r) => {
          const k = byRule[r];
          if (!k) return el("td", { class: "st st-na", "data-rule": r, title: "Không áp dụng cho ứng viên này" }, "—");
          const s = STATUS[k.status] || { sym: "", word: k.status };
          const tip = `${k.rule} – ${k.title}: ${k.message}${k.note ? `\nÝ kiến xem xét: ${k.note}` : ""}\nCăn cứ: ${k.source}`;
          const text = `${s.sym} ${s.word}`;
          const open = k.status === "fail" || k.status === "review";
          return el("td", { class: `st st-${k.status}`, "data-rule": r, title: tip },
            open ? el("a", { href: `#xx-${slug(c.id)}-${slug(r)}` }, text) : text,
            k.note ? el("span", { class: "reviewed-mark", title: `Ý kiến xem xét: ${k.note}` }, " (đã xem xét)") : null);
        }));
    });
    table.tBodies[0].replaceChildren(...rows);
    $("danh-sach-can-cu").replaceChildren(...rules.flatMap((r) => info[r]
      ? [el("dt", {}, `${r} – ${info[r].title}`), el("dd", {}, info[r].source)] : []));
  }

  // --- review notes and exceptions, where the rules ask a person ----------------------------

  function drawReview(result) {
    const box = $("xem-xet");
    const cards = [];
    for (const c of result.candidates || []) {
      const mine = state.review[c.id] || {};
      const notes = mine.reviewed || {};
      const shown = c.checks.filter((k) => k.status === "fail" || k.status === "review" || notes[k.rule] !== undefined);
      if (!shown.length && !c.exception) continue;
      const items = shown.map((k) => {
        const id = `xx-${slug(c.id)}-${slug(k.rule)}`;
        const s = STATUS[k.status] || { sym: "", word: k.status };
        const canNote = k.status === "review" || notes[k.rule] !== undefined;
        return el("div", { class: `check st-border-${k.status}`, id, tabindex: "-1" },
          el("p", {}, el("strong", {}, `${k.rule} – ${k.title}: `), el("span", { class: `badge st-${k.status}` }, `${s.sym} ${s.word}`)),
          el("p", { class: "message" }, k.message),
          el("p", { class: "source" }, `Căn cứ: ${k.source}`),
          canNote ? [
            el("label", { for: `${id}-y-kien` }, `Ý kiến xem xét ${k.rule} của người có thẩm quyền`),
            el("textarea", { id: `${id}-y-kien`, rows: "2", "data-cid": c.id, "data-rule": k.rule,
              placeholder: "Ví dụ: Nội dung khóa học phù hợp vị trí công tác và chức danh quy hoạch" }),
          ] : null);
      });
      const openRules = c.checks.filter((k) => k.status === "fail" || k.status === "review").map((k) => k.rule);
      const exc = mine.exception || c.exception || null;
      const excRules = new Set(exc ? exc.rules : []);
      const ruleChoices = [...new Set([...openRules, ...excRules])];
      const exceptionBox = ruleChoices.length ? el("fieldset", { class: "exception", "data-cid": c.id },
        el("legend", {}, "Đề nghị ngoại lệ (tùy chọn: Ban Chỉ đạo quyết định)"),
        el("div", { class: "choices" }, ruleChoices.map((r) => {
          const id = `nl-${slug(c.id)}-${slug(r)}`;
          return el("span", { class: "choice" },
            el("input", { type: "checkbox", id, value: r, checked: excRules.has(r) }),
            el("label", { for: id }, `Điều kiện ${r}`));
        })),
        el("label", { for: `nl-${slug(c.id)}-ly-do` }, "Lý do đề nghị ngoại lệ"),
        el("textarea", { id: `nl-${slug(c.id)}-ly-do`, rows: "2",
          placeholder: "Ví dụ: Ban Thường vụ Tỉnh ủy đã cho ý kiến tại Văn bản số … ngày …" })) : null;
      const legend = `${c.full_name} (${c.id}) — ${OVERALL[c.status] || c.status}`;
      const card = el("fieldset", { class: "candidate", "data-candidate": c.id }, el("legend", {}, legend), items, exceptionBox);
      cards.push(card);
      // the notes the clerk wrote stay in their boxes after a check
      for (const area of card.querySelectorAll("textarea[data-rule]")) area.value = notes[area.dataset.rule] || "";
      if (exceptionBox && exc) exceptionBox.querySelector("textarea").value = exc.reason || "";
    }
    if (!cards.length) {
      box.replaceChildren();
      return;
    }
    box.replaceChildren(
      el("h3", { id: "tieu-de-xem-xet" }, "Ý kiến xem xét và đề nghị ngoại lệ"),
      el("p", { class: "lead" },
        "Với điều kiện “cần xem xét”, ghi ý kiến của người có thẩm quyền; với điều kiện “không đạt”, có thể đề nghị ngoại lệ kèm lý do. ",
        "Những gì ghi ở đây được gửi kèm tệp hồ sơ khi kiểm tra lại và khi tạo hồ sơ, nhưng không sửa tệp của anh/chị: ",
        "để lần sau không phải ghi lại, chép vào cột “Đánh giá <mã điều kiện>” và “Ngoại lệ – …” của trang “Ứng viên” trong sổ Excel (tệp YAML: mục ",
        el("code", {}, "reviewed"), ", ", el("code", {}, "exception"), ")."),
      ...cards,
      el("div", { class: "actions" }, el("button", { type: "button", id: "nut-kiem-tra-lai", class: "primary",
        onclick: () => validate({ keepReview: true }) }, "Kiểm tra lại với các ý kiến đã ghi")));
  }

  // --- 3. render, with a progress bar, then downloads ---------------------------------------

  function showRenderStep(enabled, text) {
    $("buoc-tao").hidden = false;
    $("tao-goi-y").textContent = text;
    $("nut-tao").disabled = !enabled;
    $("tien-do").hidden = true;
    $("tai-ve").hidden = true;
    $("ket-qua-tao").replaceChildren();
  }

  async function render() {
    const button = $("nut-tao");
    busy(button, true, "Đang gửi…");
    $("tai-ve").hidden = true;
    $("ket-qua-tao").replaceChildren();
    try {
      const answer = await api(`${API}renders`, { method: "POST", body: dossierForm() });
      if (answer.status !== 202) {
        const problem = await problemOf(answer);
        busy(button, false);
        if (problem.issues && problem.issues.length) {
          showProblem(problem, $("tep-ho-so").files[0].name);
          say("ket-qua-tao", "error", "Hồ sơ chưa hợp lệ: xem các lỗi ở trên.");
        } else {
          say("ket-qua-tao", "error", el("strong", {}, `${problem.title || "Lỗi"}: `), problem.detail || "");
        }
        return;
      }
      const job = await answer.json();
      state.job = { id: job.id, url: `${API}renders/${encodeURIComponent(job.id)}` };
      button.textContent = "Đang tạo hồ sơ…";
      $("nut-huy").hidden = false;
      $("nut-huy").disabled = false;
      $("tien-do").hidden = false;
      setProgress({ done: 0, total: null, step: "Đang chờ đến lượt…" });
      poll();
    } catch (error) {
      busy(button, false);
      offline("ket-qua-tao", error);
    }
  }

  function setProgress(progress) {
    const bar = $("thanh-tien-do");
    const total = progress.total;
    if (total) {
      bar.max = total;
      bar.value = Math.min(progress.done, total);
      $("nhan-tien-do").textContent = `Đã tạo ${Math.min(progress.done, total)}/${total} văn bản`;
    } else {
      bar.removeAttribute("value");
      $("nhan-tien-do").textContent = "Đang tạo hồ sơ…";
    }
    $("buoc-hien-tai").textContent = progress.step || "";
  }

  async function poll() {
    const job = state.job;
    if (!job) return;
    let data;
    try {
      const answer = await api(job.url);
      if (!answer.ok) {
        const problem = await problemOf(answer);
        renderEnded();
        say("ket-qua-tao", "error", el("strong", {}, `${problem.title || "Lỗi"}: `), problem.detail || "");
        return;
      }
      data = await answer.json();
    } catch (error) {
      state.pollTimer = setTimeout(poll, 2000); // the network came and went: ask again
      return;
    }
    if (state.job !== job) return;
    setProgress(data.progress || {});
    if (data.status === "queued" || data.status === "running") {
      if (data.status === "queued") $("buoc-hien-tai").textContent = "Đang chờ đến lượt (máy chủ tạo lần lượt từng hồ sơ)…";
      state.pollTimer = setTimeout(poll, 500);
      return;
    }
    renderEnded();
    if (data.status === "done") showDownloads(job, data.manifest || {});
    else if (data.status === "cancelled") say("ket-qua-tao", "info", "Đã hủy: không tạo tệp nào.");
    else showRenderError(data.error || {});
  }

  function renderEnded() {
    busy($("nut-tao"), false);
    $("nut-tao").textContent = "Tạo lại hồ sơ";
    $("nut-huy").hidden = true;
    $("tien-do").hidden = true;
  }

  async function cancel() {
    if (!state.job) return;
    $("nut-huy").disabled = true;
    $("buoc-hien-tai").textContent = "Đang hủy…";
    try {
      await api(state.job.url, { method: "DELETE" });
    } catch (error) {
      offline("ket-qua-tao", error);
    }
  }

  function showRenderError(error) {
    const issues = error.issues || [];
    say("ket-qua-tao", "error", el("strong", {}, `Không tạo được hồ sơ — ${error.title || "lỗi"}. `),
      issues.length ? `${issues.length} lỗi (xem danh sách ở trên).` : el("span", { class: "pre" }, error.detail || ""));
    if (issues.length) showProblem({ issues }, $("tep-ho-so").files[0].name);
  }

  const LABELS = {
    dossier: "Hồ sơ gửi Trung ương (dossier.pdf)",
    internal_bundle: "Hồ sơ lưu nội bộ (noi-bo.pdf: Tờ trình, phiếu đối chiếu điều kiện)",
    nomination_list: "Danh sách đề cử (Excel)",
    demo_ca: "Chứng thư gốc thử nghiệm (demo-ca.pem, để kiểm tra chữ ký)",
  };

  function showDownloads(job, manifest) {
    const files = manifest.files || [];
    const base = `${job.url}/files`;
    const prefix = manifest.dossier ? `${manifest.dossier}-` : "";
    const links = [];
    const link = (href, label, name, extra) => links.push(el("li", {},
      el("a", { href, download: name, class: "download", onclick: download }, label), extra ? el("span", { class: "hint" }, ` ${extra}`) : null));
    for (const kind of ["dossier", "internal_bundle"]) {
      for (const f of files.filter((x) => x.kind === kind)) {
        const extra = [f.pages ? `${f.pages} trang` : "", f.signed ? "đã ký số" : (kind === "dossier" ? "chưa ký số" : "")].filter(Boolean).join(", ");
        link(`${base}/${f.path}`, LABELS[kind], `${prefix}${f.path.split("/").pop()}`, extra ? `(${extra})` : "");
      }
    }
    if (files.some((f) => f.format === "docx")) {
      link(`${job.url}/files.zip?only=docx`, "Các văn bản Word (.docx) để chỉnh sửa — tệp zip", `${prefix}docx.zip`);
    }
    for (const f of files.filter((x) => x.kind === "nomination_list" && x.format === "xlsx")) {
      link(`${base}/${f.path}`, LABELS.nomination_list, `${prefix}${f.path.split("/").pop()}`);
    }
    link(`${job.url}/files.zip`, "Toàn bộ kết quả (PDF, DOCX, bản quét, manifest) — tệp zip", `${prefix}ket-qua.zip`);
    for (const f of files.filter((x) => x.kind === "demo_ca")) link(`${base}/${f.path}`, LABELS.demo_ca, f.path);
    $("danh-sach-tai-ve").replaceChildren(...links);
    const warnings = manifest.warnings || [];
    $("canh-bao-tao").replaceChildren(...(warnings.length
      ? [el("h4", {}, "Lưu ý"), el("ul", { class: "warnings" }, warnings.map((w) => el("li", {}, w)))] : []));
    const signed = files.find((f) => f.kind === "dossier" && f.signed);
    say("ket-qua-tao", "ok", el("strong", {}, "Đã tạo xong hồ sơ. "),
      signed ? "Tải các tệp dưới đây; hoặc " : "Tải các tệp dưới đây.",
      signed ? el("button", { type: "button", class: "link", id: "nut-kiem-tra-vua-tao", onclick: () => verifyRendered(job, files) },
        "kiểm tra chữ ký số của hồ sơ vừa tạo") : null);
    $("tai-ve").hidden = false;
    $("danh-sach-tai-ve").querySelector("a").focus();
  }

  async function download(event) {
    // with a token the browser cannot follow the link by itself: fetch it with the token
    if (!token()) return;
    event.preventDefault();
    const a = event.currentTarget;
    try {
      const answer = await api(a.getAttribute("href"));
      if (!answer.ok) {
        const problem = await problemOf(answer);
        say("ket-qua-tao", "error", el("strong", {}, `${problem.title || "Lỗi"}: `), problem.detail || "");
        return;
      }
      const url = URL.createObjectURL(await answer.blob());
      const save = el("a", { href: url, download: a.getAttribute("download") || "" });
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (error) {
      offline("ket-qua-tao", error);
    }
  }

  // --- 4. checking a signed PDF -------------------------------------------------------------

  async function verifyForm(form, button) {
    busy(button, true, "Đang kiểm tra…");
    say("ket-qua-chu-ky", "info", "Đang kiểm tra chữ ký số…");
    try {
      const answer = await api(`${API}verify`, { method: "POST", body: form });
      if (!answer.ok) {
        const problem = await problemOf(answer);
        say("ket-qua-chu-ky", "error", el("strong", {}, `${problem.title || "Lỗi"}: `), problem.detail || "");
        return;
      }
      showVerdict(await answer.json());
    } catch (error) {
      offline("ket-qua-chu-ky", error);
    } finally {
      busy(button, false);
    }
  }

  async function verifyUpload(event) {
    event.preventDefault();
    const pdf = $("tep-pdf").files[0];
    if (!pdf) {
      say("ket-qua-chu-ky", "error", "Chọn tệp PDF cần kiểm tra.");
      $("tep-pdf").focus();
      return;
    }
    const form = new FormData();
    form.append("file", pdf, pdf.name);
    const root = $("tep-goc").files[0];
    if (root) form.append("trust_root", root, root.name);
    await verifyForm(form, $("nut-chu-ky"));
  }

  async function verifyRendered(job, files) {
    const button = $("nut-kiem-tra-vua-tao");
    const fetchBlob = async (path) => {
      const answer = await api(`${job.url}/files/${path}`);
      if (!answer.ok) throw new Error(`tải ${path}: ${answer.status}`);
      return answer.blob();
    };
    try {
      const dossier = files.find((f) => f.kind === "dossier");
      const form = new FormData();
      form.append("file", await fetchBlob(dossier.path), "dossier.pdf");
      const ca = files.find((f) => f.kind === "demo_ca");
      if (ca) form.append("trust_root", await fetchBlob(ca.path), ca.path);
      $("buoc-chu-ky").scrollIntoView();
      await verifyForm(form, button);
      $("tieu-de-chu-ky").focus();
    } catch (error) {
      offline("ket-qua-chu-ky", error);
    }
  }

  function showVerdict(report) {
    const sigs = report.signatures || [];
    const head = report.ok
      ? `✓ Hợp lệ: “${report.path}” có ${sigs.length} chữ ký số, đều còn nguyên vẹn và hợp lệ.`
      : sigs.length
        ? `✗ Không hợp lệ: “${report.path}” có chữ ký số không đạt (xem chi tiết).`
        : `✗ “${report.path}” không có chữ ký số nào.`;
    const rows = sigs.map((s, i) => el("li", { class: s.ok ? "sig-ok" : "sig-bad" },
      el("strong", {}, `Chữ ký ${i + 1}${s.signer ? ` — ${s.signer}` : ""}`),
      s.signing_time ? el("span", { class: "hint" }, ` (ký lúc ${vnDateTime(s.signing_time)})`) : null,
      el("p", {}, s.message),
      (s.changes || []).length ? el("ul", {}, s.changes.map((c) => el("li", {}, c))) : null));
    const notes = [];
    for (const p of report.problems || []) notes.push(el("li", {}, p));
    if (!report.trust_roots_given) {
      notes.push(el("li", {}, "Chưa đối chiếu với chứng thư gốc tin cậy: chọn tệp chứng thư gốc của tổ chức cấp chứng thư số để biết người ký có được tin cậy hay không."));
    }
    say("ket-qua-chu-ky", report.ok ? "ok" : "error", el("p", { class: "verdict" }, head),
      el("ul", { class: "signatures" }, rows), notes.length ? el("ul", { class: "notes" }, notes) : null);
  }

  // --- wiring -------------------------------------------------------------------------------

  function showChosen(input) {
    const names = [...input.files].map((f) => f.name);
    const out = $(`${input.id}-ten`);
    out.textContent = names.length === 0 ? "Chưa chọn tệp nào"
      : names.length === 1 ? names[0] : `${names.length} tệp: ${names.join(", ")}`;
    out.classList.toggle("chosen", names.length > 0);
    out.title = names.join("\n");
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("form-ho-so").addEventListener("submit", (event) => {
      event.preventDefault();
      validate();
    });
    $("tep-ho-so").addEventListener("change", resetAfterUpload);
    $("nut-tao").addEventListener("click", render);
    $("nut-huy").addEventListener("click", cancel);
    $("form-chu-ky").addEventListener("submit", verifyUpload);
    $("doi-ma").addEventListener("click", () => {
      sessionStorage.removeItem(TOKEN_KEY);
      askToken();
    });
    $("hop-ma").addEventListener("cancel", (event) => {
      if (!token()) event.preventDefault(); // nothing works without it
    });
    for (const input of document.querySelectorAll("input.file-input")) {
      input.addEventListener("change", () => showChosen(input));
      showChosen(input); // a reload may keep the files
    }
    for (const heading of document.querySelectorAll("h2")) heading.setAttribute("tabindex", "-1");
    if (token()) $("doi-ma").hidden = false;
    if (tokenNeeded && !token()) askToken();
    document.body.dataset.ready = "true";
  });
})();
