//! Documented exit codes: part of the command-line API.

/// Exit codes of `hookcheck`.
pub struct ExitCodes;

impl ExitCodes {
    /// Every payload conforms (warnings allowed unless `--deny-warnings`).
    pub const OK: u8 = 0;
    /// At least one payload violates the contract.
    pub const FINDINGS: u8 = 1;
    /// Usage error, or an input that could not be read (takes precedence over 1); `listen`: a delivery
    /// could not be printed or recorded (answered 500, counted as lost), or `--record DIR` is unusable.
    pub const TOOL_ERROR: u8 = 2;
    /// `verify` / `listen`: no delivery arrived at all.
    pub const NO_DELIVERIES: u8 = 4;
}
