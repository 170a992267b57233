//! Custom JSON Schema `format`s for the timestamp shapes Chatwoot emits.
//!
//! Chatwoot webhooks carry timestamps in four different shapes depending on
//! which layer produced them: Rails serialises `TimeWithZone` as an ISO 8601
//! string with milliseconds in UTC, event payloads use integer or fractional
//! Unix times, and the widget forwards whatever the visitor's browser printed
//! for `new Date().toString()`. JSON Schema's built-in `date-time` is RFC 3339,
//! which is too loose for the Rails shape (it accepts any offset and any
//! fraction) and rejects the browser shape outright, so the schemas name these
//! formats instead and the validator registers [`check`] for every name in
//! [`ALL`].
//!
//! Everything here is hand-written byte-wise parsing over `&str`: there is no
//! regex dependency, and inputs are fuzzed, so no function panics on any input.
//!
//! ```
//! use hookcheck::format::{check, explain, ISO8601_MS_UTC};
//!
//! assert_eq!(check(ISO8601_MS_UTC, "2026-06-17T12:34:56.789Z"), Some(true));
//! let why = explain(ISO8601_MS_UTC, "2026-02-30T00:00:00.000Z").unwrap();
//! assert_eq!(why.to_string(), "day 30 does not exist in February 2026");
//! ```

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

/// Format name for Rails `TimeWithZone#as_json` strings, e.g. `2026-06-17T12:34:56.789Z`.
///
/// ```
/// assert_eq!(hookcheck::format::ISO8601_MS_UTC, "iso8601-ms-utc");
/// ```
pub const ISO8601_MS_UTC: &str = "iso8601-ms-utc";

/// Format name for integer Unix timestamps (seconds since the epoch).
///
/// The value is a JSON number, so the string check always passes; the schema's
/// `type`/`minimum`/`maximum` do the real work.
///
/// ```
/// assert_eq!(hookcheck::format::UNIX_SECONDS, "unix-seconds");
/// ```
pub const UNIX_SECONDS: &str = "unix-seconds";

/// Format name for fractional Unix timestamps (seconds with a fraction, as Ruby's `Time#to_f`).
///
/// Like [`UNIX_SECONDS`] this constrains numbers, so the string check always passes.
///
/// ```
/// assert_eq!(hookcheck::format::UNIX_FLOAT, "unix-float");
/// ```
pub const UNIX_FLOAT: &str = "unix-float";

/// Format name for JavaScript `Date#toString()` output, e.g.
/// `Wed Jun 17 2026 18:04:56 GMT+0530 (India Standard Time)`.
///
/// ```
/// assert_eq!(hookcheck::format::JS_DATE, "js-date");
/// ```
pub const JS_DATE: &str = "js-date";

/// All four format names, so callers can register them in one loop without
/// forgetting one when a format is added here.
///
/// ```
/// use hookcheck::format::{check, ALL};
///
/// for name in ALL {
///     assert!(check(name, "").is_some(), "{name} must be known to check()");
/// }
/// ```
pub const ALL: [&str; 4] = [ISO8601_MS_UTC, UNIX_SECONDS, UNIX_FLOAT, JS_DATE];

/// Time zone names as browsers print them in `Date#toString()`, with their
/// offset from UTC in minutes.
///
/// Generators pick from this list so that generated `js-date` strings look like
/// real traffic. The entries cover negative, zero and positive offsets,
/// including half- and quarter-hour ones and the +14:00 extreme, because
/// those are where offset handling usually breaks. Each pair is internally
/// consistent (the offset is the one that zone name implies); real browsers
/// may print a name whose offset differs, which the format also accepts.
///
/// ```
/// use hookcheck::format::JS_ZONE_NAMES;
///
/// assert!(JS_ZONE_NAMES.contains(&("India Standard Time", 330)));
/// assert!(JS_ZONE_NAMES.iter().all(|&(_, minutes)| minutes.abs() <= 14 * 60));
/// ```
pub const JS_ZONE_NAMES: &[(&str, i16)] = &[
    ("Samoa Standard Time", -660),
    ("Hawaii-Aleutian Standard Time", -600),
    ("Marquesas Time", -570),
    ("Alaska Daylight Time", -480),
    ("Pacific Standard Time", -480),
    ("Pacific Daylight Time", -420),
    ("Mountain Standard Time", -420),
    ("Central Daylight Time", -300),
    ("Eastern Standard Time", -300),
    ("Eastern Daylight Time", -240),
    ("Newfoundland Daylight Time", -150),
    ("Brasilia Standard Time", -180),
    ("Coordinated Universal Time", 0),
    ("Greenwich Mean Time", 0),
    ("British Summer Time", 60),
    ("Central European Standard Time", 60),
    ("Central European Summer Time", 120),
    ("Eastern European Summer Time", 180),
    ("Moscow Standard Time", 180),
    ("Iran Standard Time", 210),
    ("Gulf Standard Time", 240),
    ("Pakistan Standard Time", 300),
    ("India Standard Time", 330),
    ("Nepal Time", 345),
    ("Bangladesh Standard Time", 360),
    ("Indochina Time", 420),
    ("China Standard Time", 480),
    ("Australian Central Western Standard Time", 525),
    ("Japan Standard Time", 540),
    ("Australian Central Standard Time", 570),
    ("Australian Eastern Standard Time", 600),
    ("New Zealand Standard Time", 720),
    ("Chatham Standard Time", 765),
    ("Apia Standard Time", 780),
    ("Line Islands Time", 840),
];

/// Why a timestamp string was rejected: a short, human sentence naming the
/// defect, so a failed `format` keyword can be reported as something more
/// useful than "not a valid iso8601-ms-utc".
///
/// ```
/// use hookcheck::format::parse_iso8601_ms_utc;
///
/// let err = parse_iso8601_ms_utc("2026-06-17T12:34:56.78Z").unwrap_err();
/// assert_eq!(err.to_string(), "expected 3 fractional digits, found 2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FormatError(pub String);

/// A parsed browser date string: the local date-time with its UTC offset, and
/// the zone name that followed it in parentheses, if any.
///
/// Equality compares the local date-time, the offset and the name. That
/// differs from [`OffsetDateTime`]'s own `==`, which only compares instants:
/// `12:00 GMT+0100` and `11:00 GMT+0000` print differently, so for a
/// string format they must not be equal.
///
/// ```
/// use hookcheck::format::{format_js_date, JsDate};
/// use time::macros::datetime;
///
/// let d = JsDate {
///     datetime: datetime!(2026-06-17 18:04:56 +05:30),
///     zone_name: Some("India Standard Time".to_owned()),
/// };
/// assert_eq!(
///     format_js_date(&d),
///     "Wed Jun 17 2026 18:04:56 GMT+0530 (India Standard Time)"
/// );
/// ```
#[derive(Debug, Clone)]
pub struct JsDate {
    /// Local date-time as printed, carrying the printed offset.
    pub datetime: OffsetDateTime,
    /// The text between the parentheses, e.g. `India Standard Time`.
    pub zone_name: Option<String>,
}

impl PartialEq for JsDate {
    fn eq(&self, other: &Self) -> bool {
        self.datetime == other.datetime
            && self.datetime.offset() == other.datetime.offset()
            && self.zone_name == other.zone_name
    }
}

impl Eq for JsDate {}

/// Whether `s` is exactly `YYYY-MM-DDTHH:MM:SS.sssZ` and names a real UTC
/// instant (year >= 1, a day that exists in that month, no leap second).
///
/// ```
/// use hookcheck::format::is_iso8601_ms_utc;
///
/// assert!(is_iso8601_ms_utc("2024-02-29T23:59:59.999Z"));
/// assert!(!is_iso8601_ms_utc("2026-02-29T23:59:59.999Z"));
/// assert!(!is_iso8601_ms_utc("2024-02-29T23:59:59Z"));
/// ```
pub fn is_iso8601_ms_utc(s: &str) -> bool {
    // One code path for checking and explaining, so they can never disagree.
    parse_iso8601_ms_utc(s).is_ok()
}

/// Whether `s` is exactly what a browser prints for `new Date().toString()`,
/// with a real date whose weekday matches and an offset within ±14:00.
///
/// ```
/// use hookcheck::format::is_js_date;
///
/// assert!(is_js_date("Wed Jun 17 2026 18:04:56 GMT+0530 (India Standard Time)"));
/// assert!(is_js_date("Wed Jun 17 2026 18:04:56 GMT+0530"));
/// assert!(!is_js_date("Thu Jun 17 2026 18:04:56 GMT+0530"));
/// ```
pub fn is_js_date(s: &str) -> bool {
    parse_js_date(s).is_ok()
}

/// The string check of the numeric formats ([`UNIX_SECONDS`], [`UNIX_FLOAT`]): every string passes (see
/// [`check`]). Named so that the compile-time validators (`build.rs`) can refer to it.
#[doc(hidden)]
pub fn any_string(_: &str) -> bool {
    true
}

/// The string check for format `format`: `None` when this module does not
/// define that name, so the caller can fall back to other format handlers.
///
/// The numeric formats ([`UNIX_SECONDS`], [`UNIX_FLOAT`]) accept every string:
/// JSON Schema only applies `format` to strings, and those formats constrain
/// numbers through the schema's type and bounds instead.
///
/// ```
/// use hookcheck::format::{check, ISO8601_MS_UTC, JS_DATE, UNIX_SECONDS};
///
/// assert_eq!(check(ISO8601_MS_UTC, "2026-06-17T12:34:56.789Z"), Some(true));
/// assert_eq!(check(JS_DATE, "2026-06-17T12:34:56.789Z"), Some(false));
/// assert_eq!(check(UNIX_SECONDS, "anything"), Some(true));
/// assert_eq!(check("email", "a@b.c"), None);
/// ```
pub fn check(format: &str, s: &str) -> Option<bool> {
    match format {
        ISO8601_MS_UTC => Some(is_iso8601_ms_utc(s)),
        JS_DATE => Some(is_js_date(s)),
        UNIX_SECONDS | UNIX_FLOAT => Some(true),
        _ => None,
    }
}

/// Why `s` is not of format `format`: `None` when it is valid, when the
/// format constrains numbers rather than strings, or when the name is unknown.
///
/// ```
/// use hookcheck::format::{explain, ISO8601_MS_UTC, JS_DATE};
///
/// assert_eq!(explain(ISO8601_MS_UTC, "2026-06-17T12:34:56.789Z"), None);
/// assert_eq!(
///     explain(JS_DATE, "Thu Jun 17 2026 18:04:56 GMT+0530").unwrap().to_string(),
///     "weekday Thu does not match 2026-06-17, a Wednesday"
/// );
/// assert_eq!(explain("email", "nope"), None);
/// ```
pub fn explain(format: &str, s: &str) -> Option<FormatError> {
    match format {
        ISO8601_MS_UTC => parse_iso8601_ms_utc(s).err(),
        JS_DATE => parse_js_date(s).err(),
        _ => None,
    }
}

/// Parse a Rails `TimeWithZone#as_json` string into a UTC date-time.
///
/// Accepts exactly the strings [`is_iso8601_ms_utc`] accepts; the error says
/// what is wrong with the rest.
///
/// ```
/// use hookcheck::format::parse_iso8601_ms_utc;
/// use time::macros::datetime;
///
/// let t = parse_iso8601_ms_utc("2026-06-17T12:34:56.789Z").unwrap();
/// assert_eq!(t, datetime!(2026-06-17 12:34:56.789 UTC));
/// assert_eq!(
///     parse_iso8601_ms_utc("2026-06-17T24:00:00.000Z").unwrap_err().to_string(),
///     "hour 24 is out of range (00-23)"
/// );
/// ```
pub fn parse_iso8601_ms_utc(s: &str) -> Result<OffsetDateTime, FormatError> {
    let mut c = Cursor::new(s);
    let year = c.digits(4, "year")?;
    c.literal(b'-', "'-' after the year")?;
    let month = c.digits(2, "month")?;
    c.literal(b'-', "'-' after the month")?;
    let day = c.digits(2, "day")?;
    c.literal(b'T', "'T' between date and time")?;
    let (hour, minute, second) = c.clock()?;
    if c.peek() != Some(b'.') {
        return Err(c.unexpected("'.' and 3 fractional digits after the seconds"));
    }
    c.i += 1;
    let fraction_digits = c.count_digits();
    if fraction_digits != 3 {
        return Err(err(format!(
            "expected 3 fractional digits, found {fraction_digits}"
        )));
    }
    let millis = c.digits(3, "fraction")?;
    match c.peek() {
        Some(b'Z') => c.i += 1,
        Some(b'z') => {
            return Err(err(
                "expected uppercase 'Z' as the UTC designator, found lowercase 'z'",
            ))
        }
        None => return Err(err("missing the 'Z' UTC designator at the end")),
        Some(_) => {
            return Err(err(format!(
                "expected 'Z' as the UTC designator, found {:?}",
                c.rest()
            )))
        }
    }
    if !c.at_end() {
        return Err(err(format!(
            "unexpected trailing text {:?} after 'Z'",
            c.rest()
        )));
    }

    let month = month_from_number(month)?;
    let date = calendar_date(year, month, day)?;
    let time = clock_time(hour, minute, second, millis)?;
    Ok(PrimitiveDateTime::new(date, time).assume_utc())
}

/// Render `t` as `YYYY-MM-DDTHH:MM:SS.sssZ`, converting to UTC first and
/// truncating (not rounding) to milliseconds, as Rails does.
///
/// The result is valid [`ISO8601_MS_UTC`] whenever the UTC year is in
/// `1..=9999`; other years cannot be written in four digits and produce an
/// invalid string rather than a panic.
///
/// ```
/// use hookcheck::format::format_iso8601_ms_utc;
/// use time::macros::datetime;
///
/// assert_eq!(
///     format_iso8601_ms_utc(datetime!(2026-06-18 00:04:56.789_999 +05:30)),
///     "2026-06-17T18:34:56.789Z"
/// );
/// ```
pub fn format_iso8601_ms_utc(t: OffsetDateTime) -> String {
    // `OffsetDateTime::to_offset` panics when the UTC instant falls outside
    // the crate's year range (e.g. 9999-12-31T23:00-05:00), so derive the
    // civil UTC fields from the Unix timestamp, which is always representable.
    let seconds = t.unix_timestamp();
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let second_of_day = seconds.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60,
        t.millisecond()
    )
}

/// Parse a browser `Date#toString()` string, keeping the printed local time,
/// its offset and the zone name.
///
/// Accepts exactly the strings [`is_js_date`] accepts. Zone names may be any
/// non-empty text without parentheses, including non-ASCII, because browsers
/// localise them. `GMT-0000` is rejected: browsers print UTC as `GMT+0000`,
/// and accepting both would make the parsed form ambiguous to print back.
///
/// ```
/// use hookcheck::format::parse_js_date;
///
/// let d = parse_js_date("Wed Jun 17 2026 18:04:56 GMT+0530 (India Standard Time)").unwrap();
/// assert_eq!(d.datetime.hour(), 18);
/// assert_eq!(d.datetime.offset().whole_minutes(), 330);
/// assert_eq!(d.zone_name.as_deref(), Some("India Standard Time"));
///
/// let err = parse_js_date("Wed Jun 17 2026 18:04:56 GMT+1500").unwrap_err();
/// assert_eq!(err.to_string(), "offset +1500 exceeds 14:00");
/// ```
pub fn parse_js_date(s: &str) -> Result<JsDate, FormatError> {
    let mut c = Cursor::new(s);
    let weekday = c.abbreviation(&WEEKDAYS, weekday_names, "a weekday (Mon..Sun)")?;
    c.space("the weekday")?;
    let month = c.abbreviation(&MONTHS, month_names, "a month (Jan..Dec)")?;
    c.space("the month")?;
    let day = c.digits(2, "day")?;
    c.space("the day")?;
    let year = c.digits(4, "year")?;
    c.space("the year")?;
    let (hour, minute, second) = c.clock()?;
    c.space("the time")?;
    if c.rest().as_bytes().starts_with(b"GMT") {
        c.i += 3;
    } else {
        return Err(c.unexpected("\"GMT\" before the offset"));
    }
    let negative = match c.peek() {
        Some(b'+') => false,
        Some(b'-') => true,
        _ => return Err(c.unexpected("'+' or '-' after GMT")),
    };
    c.i += 1;
    let hhmm = c.digits(4, "offset (HHMM)")?;
    let zone_name = if c.at_end() {
        None
    } else {
        Some(c.zone_name()?.to_owned())
    };

    let date = calendar_date(year, month, day)?;
    let time = clock_time(hour, minute, second, 0)?;
    let offset = js_offset(negative, hhmm)?;
    if date.weekday() != weekday {
        return Err(err(format!(
            "weekday {} does not match {year:04}-{:02}-{day:02}, a {}",
            weekday_names(weekday).0,
            u8::from(month),
            weekday_names(date.weekday()).1
        )));
    }
    Ok(JsDate {
        datetime: PrimitiveDateTime::new(date, time).assume_offset(offset),
        zone_name,
    })
}

/// Print `d` exactly as a browser's `Date#toString()` would, with the zone
/// name in parentheses when there is one.
///
/// Browsers print whole seconds and whole-minute offsets, so sub-second
/// precision and offset seconds are dropped. `parse_js_date(&format_js_date(d))`
/// gives back `d` whenever `d` fits the format: year in `1..=9999`, whole
/// seconds, an offset of whole minutes within ±14:00 (not negative zero), and a
/// zone name that is absent or non-empty without parentheses.
///
/// ```
/// use hookcheck::format::{format_js_date, parse_js_date, JsDate};
/// use time::macros::datetime;
///
/// let d = JsDate { datetime: datetime!(2023-01-05 19:24:12 -07:00), zone_name: None };
/// let s = format_js_date(&d);
/// assert_eq!(s, "Thu Jan 05 2023 19:24:12 GMT-0700");
/// assert_eq!(parse_js_date(&s).unwrap(), d);
/// ```
pub fn format_js_date(d: &JsDate) -> String {
    let t = d.datetime;
    let offset = t.offset();
    let sign = if offset.is_negative() { '-' } else { '+' };
    let mut out = format!(
        "{} {} {:02} {:04} {:02}:{:02}:{:02} GMT{sign}{:02}{:02}",
        weekday_names(t.weekday()).0,
        month_names(t.month()).0,
        t.day(),
        t.year(),
        t.hour(),
        t.minute(),
        t.second(),
        offset.whole_hours().unsigned_abs(),
        offset.minutes_past_hour().unsigned_abs(),
    );
    if let Some(name) = &d.zone_name {
        out.push_str(" (");
        out.push_str(name);
        out.push(')');
    }
    out
}

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

const MONTHS: [Month; 12] = [
    Month::January,
    Month::February,
    Month::March,
    Month::April,
    Month::May,
    Month::June,
    Month::July,
    Month::August,
    Month::September,
    Month::October,
    Month::November,
    Month::December,
];

/// English abbreviation and full name. Written out rather than taken from
/// `time`'s `Display` so the browser spelling is pinned here, not upstream.
fn weekday_names(w: Weekday) -> (&'static str, &'static str) {
    match w {
        Weekday::Monday => ("Mon", "Monday"),
        Weekday::Tuesday => ("Tue", "Tuesday"),
        Weekday::Wednesday => ("Wed", "Wednesday"),
        Weekday::Thursday => ("Thu", "Thursday"),
        Weekday::Friday => ("Fri", "Friday"),
        Weekday::Saturday => ("Sat", "Saturday"),
        Weekday::Sunday => ("Sun", "Sunday"),
    }
}

fn month_names(m: Month) -> (&'static str, &'static str) {
    match m {
        Month::January => ("Jan", "January"),
        Month::February => ("Feb", "February"),
        Month::March => ("Mar", "March"),
        Month::April => ("Apr", "April"),
        Month::May => ("May", "May"),
        Month::June => ("Jun", "June"),
        Month::July => ("Jul", "July"),
        Month::August => ("Aug", "August"),
        Month::September => ("Sep", "September"),
        Month::October => ("Oct", "October"),
        Month::November => ("Nov", "November"),
        Month::December => ("Dec", "December"),
    }
}

fn err(message: impl Into<String>) -> FormatError {
    FormatError(message.into())
}

fn is_leap_year(year: u32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(month: Month, year: u32) -> u32 {
    match month {
        Month::February if is_leap_year(year) => 29,
        Month::February => 28,
        Month::April | Month::June | Month::September | Month::November => 30,
        _ => 31,
    }
}

fn month_from_number(month: u32) -> Result<Month, FormatError> {
    u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(|| err(format!("month {month:02} does not exist (expected 01-12)")))
}

/// Checks the calendar rules with our own wording before handing over to
/// `time`, whose range errors do not say which day or month was wrong.
fn calendar_date(year: u32, month: Month, day: u32) -> Result<Date, FormatError> {
    if year == 0 {
        return Err(err("year 0000 does not exist (years start at 0001)"));
    }
    if day == 0 || day > days_in_month(month, year) {
        return Err(err(format!(
            "day {day} does not exist in {} {year:04}",
            month_names(month).1
        )));
    }
    let year = i32::try_from(year).map_err(|_| err(format!("year {year} is out of range")))?;
    let day = u8::try_from(day).map_err(|_| err(format!("day {day} is out of range")))?;
    Date::from_calendar_date(year, month, day).map_err(|e| err(e.to_string()))
}

fn clock_time(hour: u32, minute: u32, second: u32, millis: u32) -> Result<Time, FormatError> {
    if hour > 23 {
        return Err(err(format!("hour {hour:02} is out of range (00-23)")));
    }
    if minute > 59 {
        return Err(err(format!("minute {minute:02} is out of range (00-59)")));
    }
    if second > 59 {
        return Err(err(format!(
            "second {second:02} is out of range (00-59); leap seconds are not accepted"
        )));
    }
    // Every component has been range-checked above, so these conversions and
    // `from_hms_milli` cannot fail; map errors anyway rather than unwrap.
    let narrow = |v: u32| u8::try_from(v).map_err(|e| err(e.to_string()));
    let millis = u16::try_from(millis).map_err(|e| err(e.to_string()))?;
    Time::from_hms_milli(narrow(hour)?, narrow(minute)?, narrow(second)?, millis)
        .map_err(|e| err(e.to_string()))
}

fn js_offset(negative: bool, hhmm: u32) -> Result<UtcOffset, FormatError> {
    let sign = if negative { '-' } else { '+' };
    let (hours, minutes) = (hhmm / 100, hhmm % 100);
    if minutes > 59 {
        return Err(err(format!(
            "offset {sign}{hhmm:04} has {minutes} minutes (expected 00-59)"
        )));
    }
    if hours * 60 + minutes > 14 * 60 {
        return Err(err(format!("offset {sign}{hhmm:04} exceeds 14:00")));
    }
    if negative && hhmm == 0 {
        return Err(err(
            "offset -0000 must be written +0000, as browsers print it",
        ));
    }
    let total = i32::try_from(hours * 3600 + minutes * 60).map_err(|e| err(e.to_string()))?;
    UtcOffset::from_whole_seconds(if negative { -total } else { total })
        .map_err(|e| err(e.to_string()))
}

/// Howard Hinnant's `civil_from_days`: proleptic Gregorian (year, month, day)
/// for a count of days since 1970-01-01, valid far beyond years 1..=9999.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A read position in the input. It only ever advances over ASCII bytes it
/// has matched, so `i` always sits on a char boundary; every access still goes
/// through `get` so that a slip could only produce a worse message, not a panic.
struct Cursor<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Cursor { s, i: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }

    fn at_end(&self) -> bool {
        self.i >= self.s.len()
    }

    fn rest(&self) -> &'a str {
        self.s.get(self.i..).unwrap_or("")
    }

    /// What sits at byte `at`, quoted for a message.
    fn found_at(&self, at: usize) -> String {
        if at >= self.s.len() {
            return "the end of the string".to_owned();
        }
        match self.s.get(at..).and_then(|r| r.chars().next()) {
            Some(ch) => format!("{ch:?}"),
            None => "a non-ASCII character".to_owned(),
        }
    }

    fn unexpected(&self, expected: &str) -> FormatError {
        err(format!(
            "expected {expected} at byte {}, found {}",
            self.i,
            self.found_at(self.i)
        ))
    }

    fn literal(&mut self, byte: u8, expected: &str) -> Result<(), FormatError> {
        if self.peek() == Some(byte) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.unexpected(expected))
        }
    }

    /// Exactly `n` ASCII digits (n <= 9, so the value fits a `u32`).
    fn digits(&mut self, n: usize, what: &str) -> Result<u32, FormatError> {
        let mut value = 0u32;
        for k in 0..n {
            match self.s.as_bytes().get(self.i + k) {
                Some(b) if b.is_ascii_digit() => value = value * 10 + u32::from(b - b'0'),
                _ => {
                    return Err(err(format!(
                        "expected {n}-digit {what} at byte {}, found {}",
                        self.i,
                        self.found_at(self.i + k)
                    )))
                }
            }
        }
        self.i += n;
        Ok(value)
    }

    fn count_digits(&self) -> usize {
        self.rest()
            .bytes()
            .take_while(|b| b.is_ascii_digit())
            .count()
    }

    fn clock(&mut self) -> Result<(u32, u32, u32), FormatError> {
        let hour = self.digits(2, "hour")?;
        self.literal(b':', "':' after the hour")?;
        let minute = self.digits(2, "minute")?;
        self.literal(b':', "':' after the minute")?;
        let second = self.digits(2, "second")?;
        Ok((hour, minute, second))
    }

    /// One space, and only one: browsers never pad, and doubled spaces are a
    /// common sign of a hand-built string.
    fn space(&mut self, after: &str) -> Result<(), FormatError> {
        if self.peek() != Some(b' ') {
            return Err(self.unexpected(&format!("a space after {after}")));
        }
        let spaces = self.rest().bytes().take_while(|&b| b == b' ').count();
        if spaces > 1 {
            return Err(err(format!(
                "expected a single space after {after}, found {spaces}"
            )));
        }
        self.i += 1;
        Ok(())
    }

    /// A three-letter, case-sensitive English abbreviation from `all`.
    fn abbreviation<T: Copy>(
        &mut self,
        all: &[T],
        names: fn(T) -> (&'static str, &'static str),
        expected: &str,
    ) -> Result<T, FormatError> {
        let token = self.s.as_bytes().get(self.i..self.i + 3);
        if let Some(found) = all
            .iter()
            .copied()
            .find(|&v| Some(names(v).0.as_bytes()) == token)
        {
            self.i += 3;
            return Ok(found);
        }
        let word: String = self
            .rest()
            .split(' ')
            .next()
            .unwrap_or("")
            .chars()
            .take(16)
            .collect();
        let found = if word.is_empty() {
            self.found_at(self.i)
        } else {
            format!("{word:?}")
        };
        Err(err(format!(
            "expected {expected} at byte {}, found {found}",
            self.i
        )))
    }

    /// ` (NAME)` through the end of the input.
    fn zone_name(&mut self) -> Result<&'a str, FormatError> {
        let rest = self.rest();
        if !rest.starts_with(" (") {
            if rest.starts_with(' ') {
                self.i += 1;
                return Err(self.unexpected("'(' to open the zone name"));
            }
            return Err(err(format!(
                "unexpected trailing text {rest:?} after the offset"
            )));
        }
        let Some(name) = rest.get(2..).and_then(|r| r.strip_suffix(')')) else {
            return Err(err("zone name is not closed by ')' at the end"));
        };
        if name.is_empty() {
            return Err(err("zone name in parentheses is empty"));
        }
        if name.contains(['(', ')']) {
            return Err(err(format!(
                "zone name {name:?} must not contain parentheses"
            )));
        }
        self.i = self.s.len();
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};
    use time::Duration;

    const JS_OK: &str = "Wed Jun 17 2026 18:04:56 GMT+0530 (India Standard Time)";

    fn iso_err(s: &str) -> String {
        parse_iso8601_ms_utc(s).unwrap_err().to_string()
    }

    fn js_err(s: &str) -> String {
        parse_js_date(s).unwrap_err().to_string()
    }

    /// Every way of asking about `s` must agree, and valid strings must round-trip.
    fn assert_consistent(s: &str) {
        let iso = is_iso8601_ms_utc(s);
        assert_eq!(iso, parse_iso8601_ms_utc(s).is_ok(), "{s:?}");
        assert_eq!(iso, explain(ISO8601_MS_UTC, s).is_none(), "{s:?}");
        assert_eq!(check(ISO8601_MS_UTC, s), Some(iso), "{s:?}");
        if let Ok(t) = parse_iso8601_ms_utc(s) {
            assert_eq!(format_iso8601_ms_utc(t), s);
        }
        let js = is_js_date(s);
        assert_eq!(js, parse_js_date(s).is_ok(), "{s:?}");
        assert_eq!(js, explain(JS_DATE, s).is_none(), "{s:?}");
        assert_eq!(check(JS_DATE, s), Some(js), "{s:?}");
        if let Ok(d) = parse_js_date(s) {
            assert_eq!(format_js_date(&d), s);
        }
        assert_eq!(check(UNIX_SECONDS, s), Some(true));
        assert_eq!(check(UNIX_FLOAT, s), Some(true));
        assert_eq!(explain(UNIX_SECONDS, s), None);
        assert_eq!(explain(UNIX_FLOAT, s), None);
    }

    // ---- iso8601-ms-utc ----

    #[test]
    fn iso_accepts_valid() {
        for s in [
            "2026-06-17T12:34:56.789Z",
            "2024-02-29T00:00:00.000Z",
            "2000-02-29T23:59:59.999Z",
            "0001-01-01T00:00:00.000Z",
            "9999-12-31T23:59:59.999Z",
            "2026-04-30T10:00:00.500Z",
        ] {
            assert!(is_iso8601_ms_utc(s), "{s}");
            assert_consistent(s);
        }
    }

    #[test]
    fn iso_rejects_invalid_calendar_and_clock() {
        for s in [
            "2026-02-29T00:00:00.000Z",
            "1900-02-29T00:00:00.000Z",
            "2026-04-31T00:00:00.000Z",
            "2026-00-10T00:00:00.000Z",
            "2026-13-10T00:00:00.000Z",
            "2026-01-00T00:00:00.000Z",
            "0000-01-01T00:00:00.000Z",
            "2026-06-17T24:00:00.000Z",
            "2026-06-17T23:60:00.000Z",
            "2026-06-17T23:59:60.000Z",
        ] {
            assert!(!is_iso8601_ms_utc(s), "{s}");
            assert_consistent(s);
        }
    }

    #[test]
    fn iso_rejects_invalid_syntax() {
        for s in [
            "",
            "2026-06-17T12:34:56.78Z",
            "2026-06-17T12:34:56.7890Z",
            "2026-06-17T12:34:56Z",
            "2026-06-17T12:34:56.789z",
            "2026-06-17T12:34:56.789",
            "2026-06-17T12:34:56.789+00:00",
            "2026-06-17T12:34:56.789ZZ",
            "2020-03-03 13:05:57 UTC",
            "2026-06-17 12:34:56.789Z",
            "2026-6-17T12:34:56.789Z",
            " 2026-06-17T12:34:56.789Z",
            "2026-06-17T12:34:56.789Z\n",
            "+2026-06-17T12:34:56.789Z",
            "２０２６-06-17T12:34:56.789Z",
            "2026-06-17T12:34:56.７８９Z",
            "2026-06-17T12:34:56.789Ž",
        ] {
            assert!(!is_iso8601_ms_utc(s), "{s}");
            assert_consistent(s);
        }
    }

    #[test]
    fn iso_explain_messages() {
        assert_eq!(
            iso_err("2026-02-29T00:00:00.000Z"),
            "day 29 does not exist in February 2026"
        );
        assert_eq!(
            iso_err("2026-02-30T00:00:00.000Z"),
            "day 30 does not exist in February 2026"
        );
        assert_eq!(
            iso_err("2026-13-01T00:00:00.000Z"),
            "month 13 does not exist (expected 01-12)"
        );
        assert_eq!(
            iso_err("0000-01-01T00:00:00.000Z"),
            "year 0000 does not exist (years start at 0001)"
        );
        assert_eq!(
            iso_err("2026-06-17T24:00:00.000Z"),
            "hour 24 is out of range (00-23)"
        );
        assert_eq!(
            iso_err("2026-06-17T23:60:00.000Z"),
            "minute 60 is out of range (00-59)"
        );
        assert_eq!(
            iso_err("2026-06-17T23:59:60.000Z"),
            "second 60 is out of range (00-59); leap seconds are not accepted"
        );
        assert_eq!(
            iso_err("2026-06-17T12:34:56.78Z"),
            "expected 3 fractional digits, found 2"
        );
        assert_eq!(
            iso_err("2026-06-17T12:34:56.7890Z"),
            "expected 3 fractional digits, found 4"
        );
        assert_eq!(
            iso_err("2026-06-17T12:34:56Z"),
            "expected '.' and 3 fractional digits after the seconds at byte 19, found 'Z'"
        );
        assert_eq!(
            iso_err("2026-06-17T12:34:56.789z"),
            "expected uppercase 'Z' as the UTC designator, found lowercase 'z'"
        );
        assert_eq!(
            iso_err("2026-06-17T12:34:56.789"),
            "missing the 'Z' UTC designator at the end"
        );
        assert_eq!(
            iso_err("2026-06-17T12:34:56.789+00:00"),
            "expected 'Z' as the UTC designator, found \"+00:00\""
        );
        assert_eq!(
            iso_err("2026-06-17T12:34:56.789Zjunk"),
            "unexpected trailing text \"junk\" after 'Z'"
        );
        assert_eq!(
            iso_err("2020-03-03 13:05:57 UTC"),
            "expected 'T' between date and time at byte 10, found ' '"
        );
        assert_eq!(
            iso_err("2026-6-17T12:34:56.789Z"),
            "expected 2-digit month at byte 5, found '-'"
        );
        assert_eq!(
            iso_err(""),
            "expected 4-digit year at byte 0, found the end of the string"
        );
        assert_eq!(
            iso_err("２０２６-06-17T12:34:56.789Z"),
            "expected 4-digit year at byte 0, found '２'"
        );
    }

    #[test]
    fn iso_parse_values() {
        assert_eq!(
            parse_iso8601_ms_utc("2024-02-29T23:59:59.999Z").unwrap(),
            datetime!(2024-02-29 23:59:59.999 UTC)
        );
        let t = parse_iso8601_ms_utc("0001-01-01T00:00:00.000Z").unwrap();
        assert_eq!(t.offset(), UtcOffset::UTC);
        assert_eq!((t.year(), t.ordinal()), (1, 1));
    }

    #[test]
    fn iso_format_converts_and_truncates() {
        assert_eq!(
            format_iso8601_ms_utc(datetime!(2026-06-17 12:34:56.789_999_999 UTC)),
            "2026-06-17T12:34:56.789Z"
        );
        assert_eq!(
            format_iso8601_ms_utc(datetime!(2026-01-01 01:00:00 +05:30)),
            "2025-12-31T19:30:00.000Z"
        );
        assert_eq!(
            format_iso8601_ms_utc(datetime!(1969-12-31 23:59:59.001 UTC)),
            "1969-12-31T23:59:59.001Z"
        );
        // Would panic through `to_offset`: the UTC instant is in year 10000.
        assert_eq!(
            format_iso8601_ms_utc(datetime!(9999-12-31 23:00 -05:00)),
            "10000-01-01T04:00:00.000Z"
        );
        assert_eq!(
            format_iso8601_ms_utc(datetime!(0001-01-01 00:00 +01:00)),
            "0000-12-31T23:00:00.000Z"
        );
    }

    #[test]
    fn iso_round_trip_sweep() {
        let first = datetime!(0001-01-01 00:00 UTC).unix_timestamp();
        let last = datetime!(9999-12-31 23:59:59 UTC).unix_timestamp();
        let mut ts = first;
        let mut n = 0u32;
        while ts <= last {
            let ms = i64::from(n % 1000);
            let t = OffsetDateTime::from_unix_timestamp(ts).unwrap() + Duration::milliseconds(ms);
            let s = format_iso8601_ms_utc(t);
            // Cross-check the hand-rolled civil conversion against `time`.
            let expected = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
                t.millisecond()
            );
            assert_eq!(s, expected);
            assert!(is_iso8601_ms_utc(&s), "{s}");
            assert_eq!(parse_iso8601_ms_utc(&s).unwrap(), t);
            assert_eq!(format_iso8601_ms_utc(parse_iso8601_ms_utc(&s).unwrap()), s);
            ts += 9_999_991_777 + i64::from(n) * 7;
            n += 1;
        }
        assert!(n > 30);
        for t in [
            datetime!(0001-01-01 00:00:00.000 UTC),
            datetime!(9999-12-31 23:59:59.999 UTC),
            datetime!(2024-02-29 12:00:00.001 UTC),
        ] {
            assert_eq!(parse_iso8601_ms_utc(&format_iso8601_ms_utc(t)).unwrap(), t);
        }
        // A non-UTC input comes back as the same instant.
        let t = datetime!(2026-06-17 18:04:56.123 +05:30);
        assert_eq!(parse_iso8601_ms_utc(&format_iso8601_ms_utc(t)).unwrap(), t);
    }

    // ---- js-date ----

    #[test]
    fn js_accepts_valid() {
        for s in [
            JS_OK,
            "Wed Jun 17 2026 18:04:56 GMT+0530",
            "Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)",
            "Thu Jan 05 2023 19:24:12 GMT-0700 (Mountain Standard Time)",
            "Thu Feb 29 2024 00:00:00 GMT-0300 (Brasilia Standard Time)",
            "Mon Jan 01 0001 00:00:00 GMT+1400 (Line Islands Time)",
            "Fri Dec 31 9999 23:59:59 GMT-1400",
            "Sun Jun 14 2026 08:00:00 GMT+0545 (Nepal Time)",
            "Wed Jun 17 2026 18:04:56 GMT+0530 (Horário Padrão de Brasília)",
            "Wed Jun 17 2026 18:04:56 GMT+0900 (日本標準時)",
            "Wed Jun 17 2026 18:04:56 GMT+0530 (x)",
        ] {
            assert!(is_js_date(s), "{s}: {:?}", explain(JS_DATE, s));
            assert_consistent(s);
        }
    }

    #[test]
    fn js_rejects_invalid() {
        for s in [
            "",
            "Thu Jun 17 2026 18:04:56 GMT+0530 (India Standard Time)",
            "wed Jun 17 2026 18:04:56 GMT+0530",
            "Wednesday Jun 17 2026 18:04:56 GMT+0530",
            "Wed June 17 2026 18:04:56 GMT+0530",
            "Wed Jun 7 2026 18:04:56 GMT+0530",
            "Wed Jun 17 26 18:04:56 GMT+0530",
            "Thu Feb 29 2026 00:00:00 GMT+0000",
            "Mon Jan 01 0000 00:00:00 GMT+0000",
            "Wed Jun 17 2026 24:00:00 GMT+0530",
            "Wed Jun 17 2026 18:60:00 GMT+0530",
            "Wed Jun 17 2026 18:04:60 GMT+0530",
            "Wed Jun 17 2026 18:04:56 GMT+1500",
            "Wed Jun 17 2026 18:04:56 GMT+1401",
            "Wed Jun 17 2026 18:04:56 GMT-1430",
            "Wed Jun 17 2026 18:04:56 GMT+0560",
            "Wed Jun 17 2026 18:04:56 GMT-0000",
            "Wed Jun 17 2026 18:04:56 GMT+05:30",
            "Wed Jun 17 2026 18:04:56 GMT+530",
            "Wed Jun 17 2026 18:04:56 GMT",
            "Wed Jun 17 2026 18:04:56 +0530",
            "Wed Jun 17 2026 18:04:56 UTC+0530",
            "Wed Jun 17 2026 18:04:56",
            "Wed  Jan  05  2023 - 19:24:12 GMT-0700",
            "Wed Jun 17 2026  18:04:56 GMT+0530",
            "Wed Jun 17 2026 18:04:56 GMT+0530 ",
            "Wed Jun 17 2026 18:04:56 GMT+0530  (India Standard Time)",
            "Wed Jun 17 2026 18:04:56 GMT+0530 ()",
            "Wed Jun 17 2026 18:04:56 GMT+0530 (India",
            "Wed Jun 17 2026 18:04:56 GMT+0530 (",
            "Wed Jun 17 2026 18:04:56 GMT+0530 (a(b)",
            "Wed Jun 17 2026 18:04:56 GMT+0530 (a)b)",
            "Wed Jun 17 2026 18:04:56 GMT+0530 (India Standard Time) ",
            "Wed Jun 17 2026 18:04:56 GMT+0530(India Standard Time)",
            "Wed Jun 17 2026 18:04:56 GMT+0530 India Standard Time",
            "Wed Jun 17 2026 18:04:56.123 GMT+0530",
            "2026-06-17T12:34:56.789Z",
            "Mié Jun 17 2026 18:04:56 GMT+0530",
            "Wed Jun 17 2026 18:04:56 GMT＋0530",
        ] {
            assert!(!is_js_date(s), "{s}");
            assert_consistent(s);
        }
    }

    #[test]
    fn js_explain_messages() {
        assert_eq!(
            js_err("Thu Jun 17 2026 18:04:56 GMT+0530 (India Standard Time)"),
            "weekday Thu does not match 2026-06-17, a Wednesday"
        );
        assert_eq!(
            js_err("Thu Feb 30 2026 00:00:00 GMT+0000"),
            "day 30 does not exist in February 2026"
        );
        assert_eq!(
            js_err("Wed Jun 17 2026 18:04:56 GMT+1500"),
            "offset +1500 exceeds 14:00"
        );
        assert_eq!(
            js_err("Wed Jun 17 2026 18:04:56 GMT-1401"),
            "offset -1401 exceeds 14:00"
        );
        assert_eq!(
            js_err("Wed Jun 17 2026 18:04:56 GMT+0560"),
            "offset +0560 has 60 minutes (expected 00-59)"
        );
        assert_eq!(
            js_err("Wed Jun 17 2026 18:04:56 GMT-0000"),
            "offset -0000 must be written +0000, as browsers print it"
        );
        assert_eq!(
            js_err("Wed Jun 17 2026 18:04:56 +0530"),
            "expected \"GMT\" before the offset at byte 25, found '+'"
        );
        assert_eq!(
            js_err("Wed Jun 17 2026 18:04:56 GMT"),
            "expected '+' or '-' after GMT at byte 28, found the end of the string"
        );
        assert_eq!(
            js_err("Wed Jun 17 2026 18:04:56 GMT+05:30"),
            "expected 4-digit offset (HHMM) at byte 29, found ':'"
        );
        assert_eq!(
            js_err("Wed  Jan  05  2023 - 19:24:12 GMT-0700"),
            "expected a single space after the weekday, found 2"
        );
        assert_eq!(
            js_err("Wednesday Jun 17 2026 18:04:56 GMT+0530"),
            "expected a space after the weekday at byte 3, found 'n'"
        );
        assert_eq!(
            js_err("wed Jun 17 2026 18:04:56 GMT+0530"),
            "expected a weekday (Mon..Sun) at byte 0, found \"wed\""
        );
        assert_eq!(
            js_err("Mié Jun 17 2026 18:04:56 GMT+0530"),
            "expected a weekday (Mon..Sun) at byte 0, found \"Mié\""
        );
        assert_eq!(
            js_err("Wed Jux 17 2026 18:04:56 GMT+0530"),
            "expected a month (Jan..Dec) at byte 4, found \"Jux\""
        );
        assert_eq!(
            js_err("Wed Jun 7 2026 18:04:56 GMT+0530"),
            "expected 2-digit day at byte 8, found ' '"
        );
        assert_eq!(
            js_err("Wed Jun 17 2026 24:04:56 GMT+0530"),
            "hour 24 is out of range (00-23)"
        );
        assert_eq!(
            js_err("Wed Jun 17 2026 18:04:56 GMT+0530 ()"),
            "zone name in parentheses is empty"
        );
        assert_eq!(
            js_err("Wed Jun 17 2026 18:04:56 GMT+0530 (India"),
            "zone name is not closed by ')' at the end"
        );
        assert_eq!(
            js_err("Wed Jun 17 2026 18:04:56 GMT+0530 (a(b)"),
            "zone name \"a(b\" must not contain parentheses"
        );
        assert_eq!(
            js_err("Wed Jun 17 2026 18:04:56 GMT+0530 India"),
            "expected '(' to open the zone name at byte 34, found 'I'"
        );
        assert_eq!(
            js_err("Wed Jun 17 2026 18:04:56 GMT+0530(India)"),
            "unexpected trailing text \"(India)\" after the offset"
        );
        assert_eq!(
            js_err(""),
            "expected a weekday (Mon..Sun) at byte 0, found the end of the string"
        );
    }

    #[test]
    fn js_parse_values() {
        let d = parse_js_date(JS_OK).unwrap();
        assert_eq!(d.datetime, datetime!(2026-06-17 18:04:56 +05:30));
        assert_eq!(d.datetime.offset(), offset!(+05:30));
        assert_eq!(d.datetime.hour(), 18);
        assert_eq!(d.zone_name.as_deref(), Some("India Standard Time"));

        let d = parse_js_date("Wed Jun 17 2026 18:04:56 GMT+0530 (Horário Padrão de Brasília)")
            .unwrap();
        assert_eq!(d.zone_name.as_deref(), Some("Horário Padrão de Brasília"));

        let d = parse_js_date("Thu Jan 05 2023 19:24:12 GMT-0700").unwrap();
        assert_eq!(d.datetime.offset(), offset!(-07:00));
        assert_eq!(d.zone_name, None);
    }

    #[test]
    fn js_equality_includes_offset_and_name() {
        let a = JsDate {
            datetime: datetime!(2026-06-17 12:00 +01:00),
            zone_name: None,
        };
        let b = JsDate {
            datetime: datetime!(2026-06-17 11:00 UTC),
            zone_name: None,
        };
        assert_eq!(a.datetime, b.datetime, "same instant");
        assert_ne!(a, b);
        let c = JsDate {
            zone_name: Some("British Summer Time".to_owned()),
            ..a.clone()
        };
        assert_ne!(a, c);
        assert_eq!(a, a.clone());
    }

    #[test]
    fn js_format_exact() {
        let d = JsDate {
            datetime: datetime!(2026-06-17 18:04:56.999 +05:30),
            zone_name: Some("India Standard Time".to_owned()),
        };
        assert_eq!(format_js_date(&d), JS_OK);
        let d = JsDate {
            datetime: datetime!(0001-01-01 00:00 -09:30),
            zone_name: None,
        };
        assert_eq!(format_js_date(&d), "Mon Jan 01 0001 00:00:00 GMT-0930");
    }

    #[test]
    fn js_zone_names_all_format_validly() {
        assert!(JS_ZONE_NAMES.len() >= 12);
        assert!(JS_ZONE_NAMES.iter().any(|&(_, m)| m < 0));
        assert!(JS_ZONE_NAMES.iter().any(|&(_, m)| m == 0));
        assert!(JS_ZONE_NAMES.iter().any(|&(_, m)| m > 0));
        assert!(JS_ZONE_NAMES.iter().any(|&(_, m)| m % 60 != 0));
        for &(name, minutes) in JS_ZONE_NAMES {
            assert!(!name.is_empty() && !name.contains(['(', ')']), "{name}");
            let offset = UtcOffset::from_whole_seconds(i32::from(minutes) * 60).unwrap();
            let d = JsDate {
                datetime: datetime!(2026-06-17 18:04:56).assume_offset(offset),
                zone_name: Some(name.to_owned()),
            };
            let s = format_js_date(&d);
            assert!(is_js_date(&s), "{s}: {:?}", explain(JS_DATE, &s));
            assert!(s.ends_with(&format!(" ({name})")));
            assert_eq!(parse_js_date(&s).unwrap(), d);
            assert_consistent(&s);
        }
    }

    #[test]
    fn js_round_trip_sweep() {
        let first = datetime!(0001-01-01 00:00 UTC).unix_timestamp();
        let last = datetime!(9999-12-31 23:59:59 UTC).unix_timestamp();
        let mut ts = first;
        let mut n = 0usize;
        while ts <= last {
            let (name, minutes) = JS_ZONE_NAMES[n % JS_ZONE_NAMES.len()];
            let local = OffsetDateTime::from_unix_timestamp(ts).unwrap();
            let offset = UtcOffset::from_whole_seconds(i32::from(minutes) * 60).unwrap();
            let datetime = PrimitiveDateTime::new(local.date(), local.time()).assume_offset(offset);
            let zone_name = (n % 3 != 0).then(|| name.to_owned());
            let d = JsDate {
                datetime,
                zone_name,
            };
            let s = format_js_date(&d);
            assert_eq!(parse_js_date(&s).unwrap(), d, "{s}");
            assert_eq!(format_js_date(&parse_js_date(&s).unwrap()), s);
            ts += 7_777_777_777 + i64::from(u32::try_from(n).unwrap()) * 13;
            n += 1;
        }
        assert!(n > 30);
        // The range edges with extreme offsets, whose UTC instants leave 1..=9999.
        for d in [
            datetime!(0001-01-01 00:00:00 +14:00),
            datetime!(9999-12-31 23:59:59 -14:00),
        ] {
            let d = JsDate {
                datetime: d,
                zone_name: None,
            };
            assert_eq!(parse_js_date(&format_js_date(&d)).unwrap(), d);
        }
    }

    #[test]
    fn weekday_matches_time_for_every_day_of_a_leap_cycle() {
        let mut date = time::macros::date!(2024 - 01 - 01);
        for _ in 0..1461 {
            let d = JsDate {
                datetime: PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_utc(),
                zone_name: None,
            };
            let s = format_js_date(&d);
            assert!(is_js_date(&s), "{s}");
            // Any other weekday abbreviation must be rejected.
            for w in WEEKDAYS {
                if w != date.weekday() {
                    let wrong = format!("{}{}", weekday_names(w).0, &s[3..]);
                    assert!(!is_js_date(&wrong), "{wrong}");
                }
            }
            date = date.next_day().unwrap();
        }
    }

    // ---- shared ----

    #[test]
    fn check_and_explain_dispatch() {
        assert_eq!(ALL, [ISO8601_MS_UTC, UNIX_SECONDS, UNIX_FLOAT, JS_DATE]);
        for name in ALL {
            assert!(check(name, "").is_some());
        }
        assert_eq!(check("date-time", "2026-06-17T12:34:56.789Z"), None);
        assert_eq!(explain("date-time", "garbage"), None);
        assert_eq!(check(UNIX_FLOAT, "not a number"), Some(true));
        assert_eq!(explain(UNIX_SECONDS, "not a number"), None);
        assert_eq!(
            explain(ISO8601_MS_UTC, "2026-02-29T00:00:00.000Z"),
            Some(FormatError(
                "day 29 does not exist in February 2026".to_owned()
            ))
        );
        assert_eq!(explain(JS_DATE, JS_OK), None);
    }

    /// Deterministic mutation sweep: truncations, deletions, insertions and
    /// replacements (including multi-byte characters) at every char boundary
    /// of valid samples must never panic and must keep all entry points in
    /// agreement.
    #[test]
    fn mutations_never_panic_and_agree() {
        let samples = [
            "2026-06-17T12:34:56.789Z",
            "2024-02-29T00:00:00.000Z",
            JS_OK,
            "Thu Jan 05 2023 19:24:12 GMT-0700",
            "Wed Jun 17 2026 18:04:56 GMT+0530 (Horário Padrão de Brasília)",
        ];
        let inserts = [
            "", " ", "0", "9", "Z", "z", "T", ".", ":", "-", "+", "(", ")", "é", "€", "𝄞", "\0",
        ];
        let mut checked = 0usize;
        for sample in samples {
            let bounds: Vec<usize> = sample
                .char_indices()
                .map(|(i, _)| i)
                .chain([sample.len()])
                .collect();
            for (k, &at) in bounds.iter().enumerate() {
                let next = bounds.get(k + 1).copied().unwrap_or(at);
                let (head, tail) = (&sample[..at], &sample[at..]);
                assert_consistent(head);
                assert_consistent(tail);
                assert_consistent(&format!("{head}{}", &sample[next..]));
                for ins in inserts {
                    assert_consistent(&format!("{head}{ins}{tail}"));
                    assert_consistent(&format!("{head}{ins}{}", &sample[next..]));
                    checked += 2;
                }
            }
        }
        assert!(checked > 1000);
    }

    #[test]
    fn format_error_displays_its_message() {
        let e = FormatError("expected 3 fractional digits".to_owned());
        assert_eq!(e.to_string(), "expected 3 fractional digits");
        let boxed: Box<dyn std::error::Error> = Box::new(e);
        assert_eq!(boxed.to_string(), "expected 3 fractional digits");
    }
}
