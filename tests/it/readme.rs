//! The README reads right on a registry page: every link is absolute (or an anchor), and every link into
//! this repository names a file that exists here, at an anchor that exists in it.

use std::collections::BTreeSet;

use crate::util::root;

const REPO: &str = "https://github.com/hookcheck/hookcheck/blob/main/";

/// GitHub's anchor for a Markdown heading: lowercase, punctuation dropped, spaces as `-`.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(markdown: &str) -> BTreeSet<String> {
    let mut in_code = false;
    let mut out = BTreeSet::new();
    for line in markdown.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        } else if !in_code && line.starts_with('#') {
            out.insert(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

/// Every `](target)` of a Markdown text outside code blocks.
fn links(markdown: &str) -> Vec<String> {
    let mut in_code = false;
    let mut out = Vec::new();
    for line in markdown.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("](") {
            let after = &rest[i + 2..];
            let Some(end) = after.find(')') else { break };
            out.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    out
}

#[test]
fn readme_links_are_absolute_and_resolve_in_this_repository() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let own = anchors(&readme);
    let found = links(&readme);
    assert!(found.len() >= 10, "the link scan found {found:?}");
    for link in found {
        if let Some(a) = link.strip_prefix('#') {
            assert!(own.contains(a), "README: no heading for #{a}");
            continue;
        }
        assert!(
            link.starts_with("https://"),
            "README: relative link {link} breaks on a registry page; write {REPO}{link}"
        );
        let Some(inside) = link.strip_prefix(REPO) else {
            continue;
        };
        let (path, frag) = inside.split_once('#').unwrap_or((inside, ""));
        let file = root().join(path);
        assert!(
            file.exists(),
            "README links to {path}, which does not exist"
        );
        if !frag.is_empty() {
            let text = std::fs::read_to_string(&file).expect("linked file");
            assert!(
                anchors(&text).contains(frag),
                "README links to {path}#{frag}: no such heading"
            );
        }
    }
}
