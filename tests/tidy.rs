//! The map checks itself: every "never" of ARCHITECTURE.md, read from the code.
//!
//! In the spirit of rust-analyzer's tidy tests, these read `src/` with `syn` (no build,
//! no I/O of the crate itself) and fail when the code and the map part:
//!
//! - the modules each top-level module uses (its `use` lines and paths, test code left
//!   out) are exactly the ones ARCHITECTURE.md's "Floors" table lists, and the table has
//!   no circle;
//! - no module (file or inline) is in a circle with another: a file may use its parent's
//!   re-exports, a parent may declare its children, and nothing else goes back;
//! - the third-party engines stay in their rooms: rusqlite and postgres in `ledger/`,
//!   lofty in `container/`, symphonia in `audio/` and `container/`;
//! - a rename or an fsync happens only in the replace primitive (`base/replace.rs`) and
//!   the operating system's side of it (`platform/`);
//! - the pure modules (the decision policy, the listing match, the findings, the rules,
//!   and the values they use) touch no file, socket, process or environment, and use
//!   only one another;
//! - every source file is named in ARCHITECTURE.md's "Modules" section, under its room.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// A module's path below the crate root: `["ledger", "sqlite", "read"]`.
type ModPath = Vec<String>;

/// One parsed source file and what it reaches.
struct Source {
    /// The file, relative to the repository.
    file: PathBuf,
    /// The module the file is.
    module: ModPath,
    /// Paths it names, each with the inline module it was named from.
    paths: Vec<(ModPath, Vec<String>)>,
    /// External crates' roots it names (first path segment), with the leaf names `use`
    /// lines bring in from the crate itself (to tell a local `postgres` from the crate).
    roots: BTreeSet<String>,
    /// Calls that rename or flush a file.
    flushes: Vec<String>,
    /// Paths into the standard library's I/O: `std::fs`, `std::io`, `std::net`, ...
    std_io: Vec<String>,
    /// The whole file is a test module (declared `#[cfg(test)] mod x;`).
    test_only: bool,
    /// External crates' roots its test code names.
    test_roots: BTreeSet<String>,
    /// Inline modules it declares (non-test), as full paths.
    inline: Vec<ModPath>,
    /// Child modules declared `#[cfg(test)] mod x;` (test-only files).
    test_children: Vec<ModPath>,
    /// Its re-exports (`pub use tags::{Carried, carried};`): the module and the name
    /// re-exported there, and the path it stands for.
    reexports: Vec<(ModPath, String, Vec<String>)>,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn is_test_attr(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && {
            let text = cfg_text(&a.meta);
            text.contains("test") && !text.contains("not (test)") && !text.contains("not(test)")
        }
    })
}

/// The tokens of a `cfg(...)` attribute as text, without pulling in `quote`.
fn cfg_text(meta: &syn::Meta) -> String {
    match meta {
        syn::Meta::List(list) => list.tokens.to_string(),
        syn::Meta::Path(p) => p.segments.iter().map(|s| s.ident.to_string()).collect::<Vec<_>>().join("::"),
        syn::Meta::NameValue(_) => String::new(),
    }
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    use syn::Item::*;
    match item {
        Const(i) => &i.attrs,
        Enum(i) => &i.attrs,
        ExternCrate(i) => &i.attrs,
        Fn(i) => &i.attrs,
        ForeignMod(i) => &i.attrs,
        Impl(i) => &i.attrs,
        Macro(i) => &i.attrs,
        Mod(i) => &i.attrs,
        Static(i) => &i.attrs,
        Struct(i) => &i.attrs,
        Trait(i) => &i.attrs,
        TraitAlias(i) => &i.attrs,
        Type(i) => &i.attrs,
        Union(i) => &i.attrs,
        Use(i) => &i.attrs,
        _ => &[],
    }
}

/// Walks one file's syntax, test code left out.
struct Walker<'a> {
    source: &'a mut Source,
    /// The inline module being walked (starts as the file's module).
    here: ModPath,
    /// Inside test code: only the crates it names are kept.
    in_test: bool,
}

impl Walker<'_> {
    fn record(&mut self, segments: Vec<String>) {
        let Some(first) = segments.first() else {
            return;
        };
        if self.in_test {
            self.source.test_roots.insert(first.clone());
            return;
        }
        match first.as_str() {
            "crate" | "super" | "self" => {
                self.source.paths.push((self.here.clone(), segments));
            }
            "std" | "core" => {
                let io = ["fs", "io", "net", "process", "env", "thread"];
                let clock = segments.len() > 2
                    && segments[1] == "time"
                    && ["SystemTime", "Instant"].contains(&segments[2].as_str());
                if segments.len() > 1 && io.contains(&segments[1].as_str()) || clock {
                    self.source.std_io.push(segments.join("::"));
                }
                if segments.len() > 2 && segments[1] == "fs" && segments[2] == "rename" {
                    self.source.flushes.push("std::fs::rename".into());
                }
            }
            _ => {
                self.source.roots.insert(first.clone());
                if segments.last().map(String::as_str) == Some("rename") && segments.len() > 1 {
                    let joined = segments.join("::");
                    if joined.contains("fs::rename") {
                        self.source.flushes.push(joined);
                    }
                }
            }
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut full = prefix.clone();
                if n.ident != "self" {
                    full.push(n.ident.to_string());
                }
                self.record(full);
            }
            syn::UseTree::Rename(r) => {
                let mut full = prefix.clone();
                if r.ident != "self" {
                    full.push(r.ident.to_string());
                }
                self.record(full);
            }
            syn::UseTree::Glob(_) => self.record(prefix.clone()),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }
}

/// The names a `use` tree brings in, each with its whole path.
fn leaves(prefix: &mut Vec<String>, tree: &syn::UseTree, out: &mut Vec<(String, Vec<String>)>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            leaves(prefix, &p.tree, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let mut full = prefix.clone();
            full.push(n.ident.to_string());
            out.push((n.ident.to_string(), full));
        }
        syn::UseTree::Rename(r) => {
            let mut full = prefix.clone();
            full.push(r.ident.to_string());
            out.push((r.rename.to_string(), full));
        }
        syn::UseTree::Glob(_) => {}
        syn::UseTree::Group(g) => {
            for t in &g.items {
                leaves(prefix, t, out);
            }
        }
    }
}

impl<'ast> Visit<'ast> for Walker<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if is_test_attr(item_attrs(item)) && !self.in_test {
            if let syn::Item::Mod(m) = item
                && m.content.is_none()
            {
                let mut child = self.here.clone();
                child.push(m.ident.to_string());
                self.source.test_children.push(child);
            }
            self.in_test = true;
            self.visit_item(item);
            self.in_test = false;
            return;
        }
        match item {
            syn::Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    self.here.push(m.ident.to_string());
                    if !self.in_test {
                        self.source.inline.push(self.here.clone());
                    }
                    for i in items {
                        self.visit_item(i);
                    }
                    self.here.pop();
                }
            }
            syn::Item::Use(u) => {
                let mut prefix = Vec::new();
                self.use_tree(&mut prefix, &u.tree);
                if !self.in_test && !matches!(u.vis, syn::Visibility::Inherited) {
                    let mut found = Vec::new();
                    leaves(&mut Vec::new(), &u.tree, &mut found);
                    for (name, path) in found {
                        self.source.reexports.push((self.here.clone(), name, path));
                    }
                }
            }
            _ => syn::visit::visit_item(self, item),
        }
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        let attrs: &[syn::Attribute] = match item {
            syn::ImplItem::Fn(f) => &f.attrs,
            syn::ImplItem::Const(c) => &c.attrs,
            _ => &[],
        };
        if is_test_attr(attrs) && !self.in_test {
            self.in_test = true;
            syn::visit::visit_impl_item(self, item);
            self.in_test = false;
        } else {
            syn::visit::visit_impl_item(self, item);
        }
    }

    fn visit_stmt(&mut self, stmt: &'ast syn::Stmt) {
        if let syn::Stmt::Item(item) = stmt {
            self.visit_item(item);
        } else {
            syn::visit::visit_stmt(self, stmt);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.record(segments);
        syn::visit::visit_path(self, path);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let name = call.method.to_string();
        if name == "sync_all" || name == "sync_data" {
            self.source.flushes.push(format!(".{name}()"));
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // Paths inside macro arguments (`format!("{}", crate::x::y())`) are read as
        // expressions when they parse as such.
        if let Ok(args) =
            mac.parse_body_with(syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
        {
            for a in &args {
                self.visit_expr(a);
            }
        }
        syn::visit::visit_macro(self, mac);
    }
}

/// Every `.rs` file under `src/` (the binary's `main.rs` left out: it only calls `cli`).
fn all_sources() -> Vec<Source> {
    let root = repo().join("src");
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let rel = path.strip_prefix(&root).unwrap();
        let mut module: ModPath =
            rel.with_extension("").components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        if module.last().map(String::as_str) == Some("mod") {
            module.pop();
        }
        if module == ["main"] {
            continue;
        }
        if module == ["lib"] {
            module.clear();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
        let mut source = Source {
            file: path.strip_prefix(repo()).unwrap().to_path_buf(),
            module: module.clone(),
            paths: Vec::new(),
            roots: BTreeSet::new(),
            flushes: Vec::new(),
            std_io: Vec::new(),
            inline: Vec::new(),
            test_children: Vec::new(),
            test_roots: BTreeSet::new(),
            test_only: false,
            reexports: Vec::new(),
        };
        let mut walker = Walker { source: &mut source, here: module, in_test: false };
        for item in &ast.items {
            walker.visit_item(item);
        }
        out.push(source);
    }
    // Files that are test-only modules (declared `#[cfg(test)] mod x;`), and their
    // children, are not part of the house.
    let test_only: Vec<ModPath> = out.iter().flat_map(|s| s.test_children.clone()).collect();
    for s in &mut out {
        if test_only.iter().any(|t| s.module.starts_with(t)) {
            s.test_only = true;
        }
    }
    out
}

/// The house: every file but the test-only ones.
fn sources() -> Vec<Source> {
    all_sources().into_iter().filter(|s| !s.test_only).collect()
}

/// The modules that exist: every file and every inline module.
fn known(sources: &[Source]) -> BTreeSet<ModPath> {
    let mut set = BTreeSet::new();
    for s in sources {
        set.insert(s.module.clone());
        set.extend(s.inline.iter().cloned());
    }
    set
}

/// The module a path names: `crate`/`super`/`self` made absolute, then the longest
/// prefix that is a module.
fn resolve(known: &BTreeSet<ModPath>, here: &ModPath, path: &[String]) -> Option<ModPath> {
    let mut base: ModPath;
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            base = Vec::new();
            rest = &rest[1..];
        }
        Some("self") => {
            base = here.clone();
            rest = &rest[1..];
        }
        Some("super") => {
            base = here.clone();
            while rest.first().map(String::as_str) == Some("super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    base.extend(rest.iter().cloned());
    (0..=base.len()).rev().map(|n| base[..n].to_vec()).find(|p| known.contains(p))
}

/// Module-to-module edges, file and inline modules alike. A parent's use of its own
/// descendants (declaring and re-exporting them) is not an edge.
fn edges(sources: &[Source]) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    let known = known(sources);
    let mut edges: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    for s in sources {
        for (here, path) in &s.paths {
            if let Some(to) = resolve(&known, here, path)
                && &to != here
                && !to.starts_with(here)
            {
                edges.entry(here.clone()).or_default().insert(to);
            }
        }
    }
    edges
}

fn show(m: &ModPath) -> String {
    if m.is_empty() { "lib".into() } else { m.join("/") }
}

/// Strongly connected components with more than one member (Tarjan's).
fn circles(graph: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Vec<Vec<ModPath>> {
    struct State<'g> {
        graph: &'g BTreeMap<ModPath, BTreeSet<ModPath>>,
        index: BTreeMap<&'g ModPath, usize>,
        low: BTreeMap<&'g ModPath, usize>,
        stack: Vec<&'g ModPath>,
        on: BTreeSet<&'g ModPath>,
        out: Vec<Vec<ModPath>>,
    }
    fn visit<'g>(st: &mut State<'g>, v: &'g ModPath) {
        let n = st.index.len();
        st.index.insert(v, n);
        st.low.insert(v, n);
        st.stack.push(v);
        st.on.insert(v);
        if let Some(next) = st.graph.get(v) {
            for w in next {
                if !st.index.contains_key(w) {
                    visit(st, w);
                    let lw = st.low[w];
                    let lv = st.low.get_mut(v).unwrap();
                    *lv = (*lv).min(lw);
                } else if st.on.contains(w) {
                    let iw = st.index[w];
                    let lv = st.low.get_mut(v).unwrap();
                    *lv = (*lv).min(iw);
                }
            }
        }
        if st.low[v] == st.index[v] {
            let mut group = Vec::new();
            while let Some(w) = st.stack.pop() {
                st.on.remove(w);
                group.push(w.clone());
                if w == v {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                st.out.push(group);
            }
        }
    }
    let mut st = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    let nodes: BTreeSet<&ModPath> = graph.iter().flat_map(|(k, v)| std::iter::once(k).chain(v.iter())).collect();
    for v in nodes {
        if !st.index.contains_key(v) {
            visit(&mut st, v);
        }
    }
    st.out
}

/// Each node's floor: 0 for a module that uses nothing, else one above the highest
/// module it uses (the graph must have no circle).
fn floors(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, usize> {
    fn floor(
        g: &BTreeMap<String, BTreeSet<String>>,
        m: &str,
        memo: &mut BTreeMap<String, usize>,
        depth: usize,
    ) -> usize {
        if let Some(f) = memo.get(m) {
            return *f;
        }
        assert!(depth < 64, "a circle through {m}");
        let f =
            g.get(m).map(|uses| uses.iter().map(|u| floor(g, u, memo, depth + 1) + 1).max().unwrap_or(0)).unwrap_or(0);
        memo.insert(m.to_string(), f);
        f
    }
    let mut memo = BTreeMap::new();
    for m in graph.keys() {
        floor(graph, m, &mut memo, 0);
    }
    memo
}

fn architecture() -> String {
    std::fs::read_to_string(repo().join("ARCHITECTURE.md")).unwrap()
}

/// The lines of one `## ` section of ARCHITECTURE.md.
fn section(doc: &str, title: &str) -> String {
    let start =
        doc.find(&format!("\n## {title}\n")).unwrap_or_else(|| panic!("ARCHITECTURE.md has no \"## {title}\" section"));
    let body = &doc[start + title.len() + 5..];
    let end = body.find("\n## ").unwrap_or(body.len());
    body[..end].to_string()
}

/// Backticked names in a piece of text: `ledger`, `base/fs.rs`.
fn ticked(text: &str) -> Vec<String> {
    text.split('`').skip(1).step_by(2).map(|s| s.trim().to_string()).collect()
}

/// The "Floors" table: each top-level module and the top-level modules it uses.
fn documented_uses() -> BTreeMap<String, BTreeSet<String>> {
    let doc = architecture();
    let table = section(&doc, "Floors");
    let mut out = BTreeMap::new();
    for line in table.lines() {
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
        if cells.len() < 3 || !line.trim_start().starts_with('|') {
            continue;
        }
        let names = ticked(cells[1]);
        let Some(module) = names.first() else {
            continue;
        };
        let uses = ticked(cells[2]).into_iter().collect();
        out.insert(module.trim_end_matches('/').to_string(), uses);
    }
    assert!(!out.is_empty(), "ARCHITECTURE.md's Floors table is empty");
    out
}

/// What the code's top-level modules use, test code left out.
fn actual_uses(sources: &[Source]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in sources {
        if let Some(top) = s.module.first() {
            out.entry(top.clone()).or_default();
        }
    }
    for (from, targets) in edges(sources) {
        for to in targets {
            let (Some(a), Some(b)) = (from.first(), to.first()) else {
                continue;
            };
            if a != b {
                out.entry(a.clone()).or_default().insert(b.clone());
            }
        }
    }
    out
}

#[test]
fn the_floors_table_is_the_code() {
    let sources = sources();
    let actual = actual_uses(&sources);
    let documented = documented_uses();
    let mut wrong = Vec::new();
    for (module, uses) in &actual {
        match documented.get(module) {
            None => wrong.push(format!("`{module}` is not in the table")),
            Some(doc) => {
                for u in uses.difference(doc) {
                    wrong.push(format!("`{module}` uses `{u}`, which the table does not list"));
                }
                for u in doc.difference(uses) {
                    wrong.push(format!("the table says `{module}` uses `{u}`; it does not"));
                }
            }
        }
    }
    for module in documented.keys() {
        if !actual.contains_key(module) {
            wrong.push(format!("the table lists `{module}`, which is no module"));
        }
    }
    // Where a use comes from, for the message.
    let detail: Vec<String> = edges(&sources)
        .into_iter()
        .flat_map(|(from, to)| to.into_iter().map(move |t| (from.clone(), t)))
        .filter(|(from, to)| !from.is_empty() && !to.is_empty() && from[0] != to[0])
        .filter(|(from, to)| {
            let (a, b) = (&from[0], &to[0]);
            documented.get(a).is_some_and(|d| !d.contains(b))
        })
        .map(|(from, to)| format!("  {} -> {}", show(&from), show(&to)))
        .collect();
    assert!(
        wrong.is_empty(),
        "ARCHITECTURE.md's Floors table and the code part:\n{}\nfrom:\n{}",
        wrong.join("\n"),
        detail.join("\n")
    );
    let floors = floors(&actual);
    let top = floors.values().max().copied().unwrap_or(0);
    eprintln!("{} floors", top + 1);
    for f in 0..=top {
        let on: Vec<&str> = floors.iter().filter(|(_, v)| **v == f).map(|(k, _)| k.as_str()).collect();
        eprintln!("  {f}: {}", on.join(" "));
    }
}

#[test]
fn no_module_is_in_a_circle() {
    let sources = sources();
    let edges = edges(&sources);
    let found = circles(&edges);
    let text: Vec<String> = found.iter().map(|c| c.iter().map(show).collect::<Vec<_>>().join(" <-> ")).collect();
    assert!(found.is_empty(), "modules in a circle:\n{}", text.join("\n"));
    // The top level too: a room never reaches back into a room that uses it.
    let top: BTreeMap<ModPath, BTreeSet<ModPath>> =
        actual_uses(&sources).into_iter().map(|(k, v)| (vec![k], v.into_iter().map(|x| vec![x]).collect())).collect();
    let found = circles(&top);
    let text: Vec<String> = found.iter().map(|c| c.iter().map(show).collect::<Vec<_>>().join(" <-> ")).collect();
    assert!(found.is_empty(), "top-level modules in a circle:\n{}", text.join("\n"));
}

/// Names brought in from the crate itself by `use crate::...` lines (a local module
/// may share a name with a crate: `ledger::postgres`).
fn local_names(source: &Source) -> BTreeSet<String> {
    source.paths.iter().filter_map(|(_, p)| p.last().cloned()).collect()
}

#[test]
fn third_party_engines_stay_in_their_rooms() {
    let rooms: [(&str, &[&str]); 5] = [
        ("rusqlite", &["ledger"]),
        ("postgres", &["ledger"]),
        ("postgres_native_tls", &["ledger"]),
        ("lofty", &["container"]),
        ("symphonia", &["audio", "container"]),
    ];
    let mut wrong = Vec::new();
    // Test code too: a test that reaches past the seam makes the room's promise untrue.
    for s in all_sources() {
        let local = local_names(&s);
        for (krate, allowed) in rooms {
            let inside = s.module.first().is_some_and(|m| allowed.contains(&m.as_str()));
            let named = s.roots.contains(krate) || s.test_roots.contains(krate);
            if named && !local.contains(krate) && !inside {
                wrong.push(format!("{} uses {krate}", s.file.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// `anyhow` is the edge's: the engines return typed errors (`thiserror`), and only the
/// command line and the commands (and `main.rs`, not walked here) turn them into one.
#[test]
fn anyhow_stays_at_the_edge() {
    let edge = ["cli", "commands"];
    let wrong: Vec<String> = sources()
        .iter()
        .filter(|s| s.roots.contains("anyhow") && !s.module.first().is_some_and(|m| edge.contains(&m.as_str())))
        .map(|s| format!("{} uses anyhow", s.file.display()))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn only_the_replace_primitive_renames_or_flushes() {
    // The primitive, and the operating system's side of it below (`platform/`: the
    // replace itself, and the streams and attributes copied onto the temporary copy).
    let mut wrong = Vec::new();
    for s in sources() {
        if s.file == Path::new("src/base/replace.rs") || s.file.starts_with("src/platform") {
            continue;
        }
        for f in &s.flushes {
            wrong.push(format!("{}: {f}", s.file.display()));
        }
    }
    assert!(wrong.is_empty(), "a rename or an fsync outside the replace primitive:\n{}", wrong.join("\n"));
}

/// The pure modules: decisions and judgements, and the values they are made of. They
/// touch no file, socket, process, clock or environment, and use nothing of the project
/// but one another (a name re-exported by a room, `crate::container::Carried`, counts as
/// the module it comes from, `container/tags.rs`).
const PURE: [&str; 15] = [
    "src/carrier/problem.rs",
    "src/ledger/error.rs",
    "src/assign/policy.rs",
    "src/assign/listing.rs",
    "src/verify/findings.rs",
    "src/ledger/rules.rs",
    "src/ledger/types.rs",
    "src/container/tags.rs",
    "src/acoustic/mod.rs",
    "src/acoustic/group.rs",
    "src/base/ids.rs",
    "src/isrc/mod.rs",
    "src/isrc/catalog.rs",
    "src/output/text.rs",
    "src/assign/titles.rs",
];

/// The module `path` (named from `here`) comes from, following re-exports.
fn origin(
    known: &BTreeSet<ModPath>,
    reexports: &BTreeMap<(ModPath, String), Vec<String>>,
    here: &ModPath,
    path: &[String],
) -> Option<ModPath> {
    // `pub(crate)`, `pub(super)`: a visibility, not a use.
    if path.len() < 2 {
        return None;
    }
    let mut module = resolve(known, here, path)?;
    let mut full = absolute(here, path)?;
    for _ in 0..4 {
        let Some(name) = full.get(module.len()) else {
            return Some(module);
        };
        let Some(target) = reexports.get(&(module.clone(), name.clone())) else {
            return Some(module);
        };
        let from = module.clone();
        full = absolute(&from, target).unwrap_or_else(|| {
            let mut f = from.clone();
            f.extend(target.iter().cloned());
            f
        });
        module = resolve(known, &Vec::new(), &[&["crate".to_string()], &full[..]].concat())?;
    }
    Some(module)
}

/// `path` made absolute (below the crate root), when it starts at `crate`, `self` or
/// `super`; a path relative to a module's children (`tags::Carried`) is joined to `here`.
fn absolute(here: &ModPath, path: &[String]) -> Option<Vec<String>> {
    match path.first().map(String::as_str) {
        Some("crate") => Some(path[1..].to_vec()),
        Some("self") => Some([&here[..], &path[1..]].concat()),
        Some("super") => {
            let mut base = here.clone();
            let mut rest = path;
            while rest.first().map(String::as_str) == Some("super") {
                base.pop();
                rest = &rest[1..];
            }
            Some([&base[..], rest].concat())
        }
        Some(_) => Some([&here[..], path].concat()),
        None => None,
    }
}

#[test]
fn the_pure_modules_do_no_io() {
    let sources = sources();
    let known = known(&sources);
    let reexports: BTreeMap<(ModPath, String), Vec<String>> =
        sources.iter().flat_map(|s| s.reexports.iter().map(|(m, n, p)| ((m.clone(), n.clone()), p.clone()))).collect();
    let pure: Vec<&Source> = sources.iter().filter(|s| PURE.iter().any(|p| s.file == Path::new(p))).collect();
    assert_eq!(pure.len(), PURE.len(), "a pure module named here is not in src/");
    let pure_modules: BTreeSet<&ModPath> = pure.iter().map(|s| &s.module).collect();
    let mut wrong = Vec::new();
    for s in &pure {
        // An error type may name `std::io::Error`; nothing else of the standard
        // library's I/O is pure.
        for io in &s.std_io {
            if io != "std::io::Error" && io != "std::io::ErrorKind" {
                wrong.push(format!("{}: {io}", s.file.display()));
            }
        }
        for (here, path) in &s.paths {
            if let Some(to) = origin(&known, &reexports, here, path) {
                let inside = to.starts_with(&s.module);
                if !inside && !pure_modules.contains(&to) {
                    wrong.push(format!("{} uses {} ({})", s.file.display(), show(&to), path.join("::")));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "I/O in a pure module:\n{}", wrong.join("\n"));
}

#[test]
fn every_module_is_on_the_map() {
    let doc = architecture();
    let modules = section(&doc, "Modules");
    // Each bullet of the section is one room: "- `ledger/`: ...".
    let mut rooms: BTreeMap<String, String> = BTreeMap::new();
    for bullet in modules.split("\n- ").skip(1) {
        if let Some(name) = ticked(bullet).first() {
            rooms.insert(name.trim_end_matches('/').trim_end_matches(".rs").to_string(), bullet.to_string());
        }
    }
    let mut missing = Vec::new();
    for s in sources() {
        let Some(top) = s.module.first() else {
            continue;
        };
        let Some(bullet) = rooms.get(top) else {
            missing.push(format!("{} (no bullet for `{top}`)", s.file.display()));
            continue;
        };
        if s.module.len() == 1 {
            continue;
        }
        // Named by its file (`read.rs`) or its folder (`sqlite/`), or by its path.
        let file = s.file.file_name().unwrap().to_string_lossy().into_owned();
        let name = if file == "mod.rs" { format!("{}/", s.module.last().unwrap()) } else { file };
        let named = ticked(bullet).iter().any(|t| t == &name || t.ends_with(&format!("/{name}")) || t.contains(&name))
            || bullet.contains(&format!("`{name}`"));
        if !named {
            missing.push(format!("{} (`{name}` under `{top}`)", s.file.display()));
        }
    }
    assert!(missing.is_empty(), "files ARCHITECTURE.md's Modules section does not name:\n{}", missing.join("\n"));
}
