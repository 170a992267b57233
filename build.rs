//! Embeds `schemas/` and `examples/` into the binary so that hookcheck never reads schema files at run time
//! (one source of truth, no drift between the files and what the binary checks).
use std::{env, fs, path::Path};

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect(root, &p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            let rel = p.strip_prefix(root).expect("walked below root");
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn table(name: &str, dir: &str, out: &mut String) {
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest).join(dir);
    println!("cargo:rerun-if-changed={dir}");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    out.push_str(&format!("pub static {name}: &[(&str, &str)] = &[\n"));
    for f in &files {
        let abs = root.join(f);
        out.push_str(&format!(
            "    ({f:?}, include_str!({:?})),\n",
            abs.to_string_lossy()
        ));
    }
    out.push_str("];\n");
}

fn main() {
    let mut out = String::new();
    table("SCHEMA_FILES", "schemas", &mut out);
    table("EXAMPLE_FILES", "examples", &mut out);
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    fs::write(dest, out).expect("write embedded.rs");
}
