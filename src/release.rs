//! The Chatwoot releases hookcheck knows, from `schemas/chatwoot/releases.json` (embedded at build time), and
//! sets of them.
//!
//! ```
//! use hookcheck::release::{Release, ReleaseSet};
//! let r = Release::parse("2.16.0").unwrap();
//! assert_eq!(r.version(), "2.16.0");
//! assert!(r < Release::LATEST);
//! let set: ReleaseSet = Release::all().filter(|r| r.version().starts_with("2.1")).collect();
//! assert_eq!(set.to_string(), "2.1.0-2.1.1, 2.10.0-2.18.0"); // consecutive releases as ranges
//! assert!(Release::parse("2.16.1").is_err()); // never released
//! ```
use std::fmt;

use crate::{error::Error, schema::derive::Version};

mod table {
    include!(concat!(env!("OUT_DIR"), "/releases.rs"));
}

/// One Chatwoot release, e.g. `2.16.0`. Ordered oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Release(u8);

/// How many releases the table holds.
pub const COUNT: usize = table::RELEASES.len();

impl Release {
    /// The oldest release hookcheck knows (2.0.0).
    pub const OLDEST: Release = Release(0);
    /// The newest release hookcheck knows (the one `--profile v4.15` names).
    pub const LATEST: Release = Release((COUNT - 1) as u8);

    /// Every release, oldest first.
    pub fn all() -> impl DoubleEndedIterator<Item = Release> + ExactSizeIterator {
        (0..COUNT).map(|i| Release(i as u8))
    }

    /// Looks up `X.Y.Z` (a leading `v` is accepted).
    ///
    /// # Errors
    /// [`Error::Unknown`] listing the known releases.
    pub fn parse(s: &str) -> Result<Release, Error> {
        let want = s.trim().trim_start_matches('v');
        Release::all()
            .find(|r| r.version() == want)
            .ok_or_else(|| Error::Unknown {
                what: "release",
                given: s.to_string(),
                hint: format!(
                    "; known releases: {}",
                    Release::all()
                        .map(Release::version)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
    }

    /// `X.Y.Z`.
    pub fn version(self) -> &'static str {
        table::RELEASES[self.index()].0
    }

    /// The upstream git ref the release's facts were read at (a tag or a merge commit).
    pub fn git_ref(self) -> &'static str {
        table::RELEASES[self.index()].1
    }

    /// The version as numbers, for the schema derivation.
    pub fn number(self) -> Version {
        table::RELEASES[self.index()].2
    }

    /// Position in the table, oldest = 0.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    /// The release at `index`, if any.
    pub fn from_index(index: usize) -> Option<Release> {
        (index < COUNT).then_some(Release(index as u8))
    }

    /// The release just before this one.
    pub fn previous(self) -> Option<Release> {
        self.0.checked_sub(1).map(Release)
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.version())
    }
}

/// A set of releases (a bit per release).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ReleaseSet(u128);

const _: () = assert!(COUNT <= 128, "ReleaseSet holds at most 128 releases");

impl ReleaseSet {
    /// No release.
    pub const EMPTY: ReleaseSet = ReleaseSet(0);

    /// Every release.
    pub const fn all() -> ReleaseSet {
        ReleaseSet(if COUNT == 128 {
            u128::MAX
        } else {
            (1 << COUNT) - 1
        })
    }

    /// The set as bits, bit `i` for [`Release::from_index`]`(i)`.
    pub(crate) const fn bits(self) -> u128 {
        self.0
    }

    /// The set of the releases whose bits are set in `bits` (bits beyond the last release are dropped).
    pub(crate) fn from_bits(bits: u128) -> ReleaseSet {
        ReleaseSet(bits & ReleaseSet::all().0)
    }

    /// Whether `r` is in the set.
    pub fn contains(self, r: Release) -> bool {
        self.0 & (1 << r.0) != 0
    }

    /// Adds `r`.
    pub fn insert(&mut self, r: Release) {
        self.0 |= 1 << r.0;
    }

    /// Both sets' releases.
    pub fn union(self, other: ReleaseSet) -> ReleaseSet {
        ReleaseSet(self.0 | other.0)
    }

    /// The releases in both sets.
    pub fn intersection(self, other: ReleaseSet) -> ReleaseSet {
        ReleaseSet(self.0 & other.0)
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many releases.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The releases, oldest first.
    pub fn iter(self) -> impl DoubleEndedIterator<Item = Release> {
        Release::all().filter(move |r| self.contains(*r))
    }

    /// The newest release in the set.
    pub fn newest(self) -> Option<Release> {
        self.iter().next_back()
    }

    /// The oldest release in the set.
    pub fn oldest(self) -> Option<Release> {
        self.iter().next()
    }

    /// Runs of consecutive releases, `(first, last)`, oldest first.
    pub fn ranges(self) -> Vec<(Release, Release)> {
        let mut out: Vec<(Release, Release)> = Vec::new();
        for r in self.iter() {
            match out.last_mut() {
                Some((_, last)) if last.0 + 1 == r.0 => *last = r,
                _ => out.push((r, r)),
            }
        }
        out
    }
}

impl FromIterator<Release> for ReleaseSet {
    fn from_iter<I: IntoIterator<Item = Release>>(iter: I) -> Self {
        let mut s = ReleaseSet::EMPTY;
        for r in iter {
            s.insert(r);
        }
        s
    }
}

/// `2.12.1-2.16.0, 3.0.0`; `no release` when empty.
impl fmt::Display for ReleaseSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("no release");
        }
        let parts: Vec<String> = self
            .ranges()
            .into_iter()
            .map(|(a, b)| {
                if a == b {
                    a.to_string()
                } else {
                    format!("{a}-{b}")
                }
            })
            .collect();
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_without_duplicates_and_spans_2_0_to_4_15_1() {
        let all: Vec<Release> = Release::all().collect();
        for pair in all.windows(2) {
            assert!(
                pair[0].number() < pair[1].number(),
                "{} then {}",
                pair[0],
                pair[1]
            );
        }
        assert_eq!(Release::OLDEST.version(), "2.0.0");
        assert_eq!(Release::LATEST.version(), "4.15.1");
    }

    #[test]
    fn unknown_releases_list_the_known_ones() {
        let e = Release::parse("9.9.9").unwrap_err().to_string();
        assert!(
            e.starts_with("unknown release `9.9.9`; known releases: 2.0.0, 2.0.1"),
            "{e}"
        );
        assert!(e.ends_with("4.15.1"), "{e}");
        assert_eq!(Release::parse("v2.5.0").unwrap().version(), "2.5.0");
    }

    #[test]
    fn sets_print_as_ranges() {
        let r = |v: &str| Release::parse(v).unwrap();
        let set: ReleaseSet = [r("2.12.1"), r("2.13.0"), r("2.13.1"), r("3.0.0")]
            .into_iter()
            .collect();
        assert_eq!(set.to_string(), "2.12.1-2.13.1, 3.0.0");
        assert_eq!(set.newest(), Some(r("3.0.0")));
        assert_eq!(ReleaseSet::EMPTY.to_string(), "no release");
        assert_eq!(ReleaseSet::all().len(), COUNT);
    }
}
