//! The machinery behind every model: [`FromJson`] (a deserialiser that knows where it is), the `models!`
//! macro that turns one declaration per object into the struct, its `Serialize` / `Deserialize` impls,
//! its [`Extras`] walk and its [`ModelInfo`](super::ModelInfo), and `union_impls!` for the unions
//! told apart by `type`.
//!
//! Serde's derive cannot name the field that failed once `#[serde(flatten)]` or an internally tagged
//! enum is involved (both buffer the input), so the structs deserialise through [`FromJson`] instead:
//! each nested object adds its key (or array index) to the error, giving messages such as
//! `/conversation/meta/sender/id: invalid type: string "1", expected u64`.
use std::fmt;

use serde::de::{Error as _, Unexpected};
use serde::ser::SerializeMap;
use serde_json::{Map, Number, Value};

use super::Extras;

/// A JSON object, as kept in `extra` and in free-form fields.
pub(crate) type Object = Map<String, Value>;

/// A deserialisation failure and the JSON Pointer of the value that caused it.
#[derive(Debug)]
pub(crate) struct PathError {
    /// Pointer segments, innermost first (errors are built bottom-up).
    segments: Vec<String>,
    message: String,
}

impl PathError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            segments: Vec::new(),
            message: message.into(),
        }
    }

    pub(crate) fn missing(key: &str) -> Self {
        Self::new(format!("missing field `{key}`"))
    }

    pub(crate) fn invalid_type(value: &Value, expected: &str) -> Self {
        Self::new(serde_json::Error::invalid_type(unexpected(value), &expected).to_string())
    }

    pub(crate) fn unknown_variant(value: &str, expected: &'static [&'static str]) -> Self {
        Self::new(serde_json::Error::unknown_variant(value, expected).to_string())
    }

    /// The same error, one level further out: `segment` is the key or index that led to it.
    pub(crate) fn at(mut self, segment: impl Into<String>) -> Self {
        self.segments.push(segment.into());
        self
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segments.is_empty() {
            return f.write_str(&self.message);
        }
        for s in self.segments.iter().rev() {
            write!(f, "/{}", escape(s))?;
        }
        write!(f, ": {}", self.message)
    }
}

impl From<serde_json::Error> for PathError {
    fn from(e: serde_json::Error) -> Self {
        Self::new(e.to_string())
    }
}

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Unexpected::Unsigned(u),
            (None, Some(i)) => Unexpected::Signed(i),
            _ => Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

/// JSON Pointer escaping of one reference token (RFC 6901).
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The pointer of `key` inside the value at `pointer`.
pub(crate) fn child(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", escape(key))
}

/// Conversion from an owned JSON value that reports where it failed.
pub(crate) trait FromJson: Sized {
    /// Whether JSON `null` is a value of this type (`Option<T>`), for [`FieldInfo`](super::FieldInfo).
    const NULLABLE: bool = false;

    fn from_json(value: Value) -> Result<Self, PathError>;
}

/// The type of an optional field, `Option<T>`: whether `T` takes `null` (an optional and nullable key).
pub(crate) trait Optional {
    const INNER_NULLABLE: bool;
}

impl<T: FromJson> Optional for Option<T> {
    const INNER_NULLABLE: bool = T::NULLABLE;
}

/// Reflection of a field from its kind and type: `(required, nullable)`.
pub(crate) mod info {
    use super::{FromJson, Optional};

    pub(crate) const fn req<T: FromJson>() -> (bool, bool) {
        (true, T::NULLABLE)
    }

    pub(crate) const fn opt<T: Optional>() -> (bool, bool) {
        (false, T::INNER_NULLABLE)
    }
}

/// An object model: read from / written to the entries of one JSON object.
pub(crate) trait Entries: Sized {
    fn from_map(map: Object) -> Result<Self, PathError>;
    fn write_entries<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error>;
}

/// The object inside `value`, or a type error naming `what`.
pub(crate) fn object(value: Value, what: &str) -> Result<Object, PathError> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(PathError::invalid_type(&other, what)),
    }
}

/// The `type` key of a union member: `None` when absent, an error (at `/type`) when not a string.
pub(crate) fn type_tag(map: &Object) -> Result<Option<String>, PathError> {
    match map.get("type") {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(PathError::invalid_type(other, "a string").at("type")),
    }
}

/// Types whose JSON form serde already checks exactly and that hold no nested model.
macro_rules! leaf {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::model::json::FromJson for $t {
            fn from_json(value: ::serde_json::Value) -> Result<Self, $crate::model::json::PathError> {
                ::serde_json::from_value(value).map_err($crate::model::json::PathError::from)
            }
        }
        impl $crate::model::Extras for $t {
            fn extras(&self, _pointer: &str, _out: &mut Vec<String>) {}
        }
    )*};
}
pub(crate) use leaf;

leaf!(u8, u64, bool, String, Number, Object);

/// Any JSON (schema `true`), `null` included.
impl FromJson for Value {
    const NULLABLE: bool = true;

    fn from_json(value: Value) -> Result<Self, PathError> {
        Ok(value)
    }
}

impl Extras for Value {
    fn extras(&self, _pointer: &str, _out: &mut Vec<String>) {}
}

impl<T: FromJson> FromJson for Option<T> {
    const NULLABLE: bool = true;

    fn from_json(value: Value) -> Result<Self, PathError> {
        match value {
            Value::Null => Ok(None),
            v => T::from_json(v).map(Some),
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: Value) -> Result<Self, PathError> {
        match value {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| T::from_json(v).map_err(|e| e.at(i.to_string())))
                .collect(),
            other => Err(PathError::invalid_type(&other, "an array")),
        }
    }
}

impl<T: Extras> Extras for Option<T> {
    fn extras(&self, pointer: &str, out: &mut Vec<String>) {
        if let Some(v) = self {
            v.extras(pointer, out);
        }
    }
}

impl<T: Extras> Extras for Vec<T> {
    fn extras(&self, pointer: &str, out: &mut Vec<String>) {
        for (i, v) in self.iter().enumerate() {
            v.extras(&child(pointer, &i.to_string()), out);
        }
    }
}

/// Reading a field out of its object; the function name is the field kind of `models!`.
pub(crate) mod take {
    use super::{FromJson, Object, PathError};

    /// A required key: absent is an error; its value must convert (`Option<T>` for required-nullable).
    pub(crate) fn req<T: FromJson>(map: &mut Object, key: &str) -> Result<T, PathError> {
        match map.shift_remove(key) {
            Some(v) => T::from_json(v).map_err(|e| e.at(key)),
            None => Err(PathError::missing(key)),
        }
    }

    /// An optional key: absent is `None`; present converts (`Option<Option<T>>` when also nullable).
    pub(crate) fn opt<T: FromJson>(map: &mut Object, key: &str) -> Result<Option<T>, PathError> {
        map.shift_remove(key)
            .map(|v| T::from_json(v).map_err(|e| e.at(key)))
            .transpose()
    }
}

/// Writing a field back; the counterpart of [`take`].
pub(crate) mod write {
    use serde::ser::SerializeMap;
    use serde::Serialize;

    /// A required key is always written (`null` for a required-nullable `None`).
    pub(crate) fn req<M: SerializeMap, T: Serialize>(
        map: &mut M,
        key: &str,
        v: &T,
    ) -> Result<(), M::Error> {
        map.serialize_entry(key, v)
    }

    /// An optional key is written only when present (`Some(None)` writes `null`).
    pub(crate) fn opt<M: SerializeMap, T: Serialize>(
        map: &mut M,
        key: &str,
        v: &Option<T>,
    ) -> Result<(), M::Error> {
        match v {
            Some(v) => map.serialize_entry(key, v),
            None => Ok(()),
        }
    }
}

/// What fills the last field of a model: `extra` (a map of the keys it does not declare) or, for an
/// event body that adds keys to another model, that model (flattened).
pub(crate) trait Rest: Sized {
    fn from_rest(map: Object) -> Result<Self, PathError>;
    fn write_rest<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error>;
    fn rest_extras(&self, pointer: &str, out: &mut Vec<String>, report: bool);
}

impl Rest for Object {
    fn from_rest(map: Object) -> Result<Self, PathError> {
        Ok(map)
    }

    fn write_rest<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        self.iter().try_for_each(|(k, v)| map.serialize_entry(k, v))
    }

    fn rest_extras(&self, pointer: &str, out: &mut Vec<String>, report: bool) {
        if report {
            out.extend(self.keys().map(|k| child(pointer, k)));
        }
    }
}

impl<T: Entries + Extras> Rest for T {
    fn from_rest(map: Object) -> Result<Self, PathError> {
        T::from_map(map)
    }

    fn write_rest<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        self.write_entries(map)
    }

    fn rest_extras(&self, pointer: &str, out: &mut Vec<String>, _report: bool) {
        self.extras(pointer, out);
    }
}

/// Declares object models. Each `pub struct Name([schema locations] mode) { kind field: Type, ... }`
/// becomes a struct with `pub` fields, `Serialize` / `Deserialize` / [`Extras`] impls and `Name::INFO`.
///
/// * kind `req`: a required key, `opt`: an optional key (its type is an `Option`); `field = "key"`
///   renames (for `r#type`).
/// * mode `closed`: unknown keys go to `extra` and are reported by [`Extras`]; `open`: the object is
///   free-form (`additionalProperties: true`), its other keys go to `extra` but are not reported;
///   `flatten field: Type`: the remaining keys are another model's, read into `field`.
/// * `, check = path` after the mode: `path(&Self) -> Result<(), PathError>` runs on the parsed value,
///   for the schema's rules across keys (`if`/`then`, `const`) that no field type expresses.
///
/// The file gets `MODELS`, the [`ModelInfo`](super::ModelInfo) of each declared struct.
macro_rules! models {
    (@acc [$($done:ident)*]) => {
        /// The reflection data of the models declared in this file.
        pub(super) const MODELS: &[$crate::model::ModelInfo] = &[$($done::INFO),*];
    };
    (@acc [$($done:ident)*]
        $(#[$m:meta])* pub struct $name:ident ($($hdr:tt)*) { $($body:tt)* } $($rest:tt)*
    ) => {
        $crate::model::json::models!(@one [$(#[$m])*] $name ($($hdr)*) { $($body)* });
        $crate::model::json::models!(@acc [$($done)* $name] $($rest)*);
    };
    (@key $f:ident) => { stringify!($f) };
    (@key $f:ident $key:literal) => { $key };
    (@one [$(#[$m:meta])*] $name:ident ([$($schema:literal),+] flatten $flat:ident : $flty:ty
        $(, check = $check:path)?) {
        $($fields:tt)*
    }) => {
        $crate::model::json::models!(@emit [$(#[$m])*] $name [$($schema),+] false [$($check)?]
            [#[doc = concat!("Every other key of the body, as a [`", stringify!($flty), "`].")]]
            $flat: $flty { $($fields)* });
    };
    (@one [$(#[$m:meta])*] $name:ident ([$($schema:literal),+] open $(, check = $check:path)?) {
        $($fields:tt)*
    }) => {
        $crate::model::json::models!(@emit [$(#[$m])*] $name [$($schema),+] true [$($check)?]
            [#[doc = "The other keys of this free-form object, kept verbatim."]]
            extra: ::serde_json::Map<String, ::serde_json::Value> { $($fields)* });
    };
    (@one [$(#[$m:meta])*] $name:ident ([$($schema:literal),+] closed $(, check = $check:path)?) {
        $($fields:tt)*
    }) => {
        $crate::model::json::models!(@emit [$(#[$m])*] $name [$($schema),+] false [$($check)?]
            [#[doc = "Keys the schema does not declare, kept verbatim (re-serialised as they came)."]]
            extra: ::serde_json::Map<String, ::serde_json::Value> { $($fields)* });
    };
    (@emit [$(#[$m:meta])*] $name:ident [$($schema:literal),+] $free:literal [$($check:path)?]
        [$(#[$rm:meta])*] $rest:ident : $rty:ty {
        $( $(#[$fm:meta])* $kind:ident $f:ident $(= $key:literal)? : $ty:ty ),* $(,)?
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            $( $(#[$fm])* pub $f: $ty, )*
            $(#[$rm])*
            pub $rest: $rty,
        }
        impl $name {
            /// Where this model is declared in the schemas, and the keys it declares itself.
            pub const INFO: $crate::model::ModelInfo = $crate::model::ModelInfo {
                name: stringify!($name),
                schemas: &[$($schema),+],
                fields: &[$($crate::model::FieldInfo::new(
                    $crate::model::json::models!(@key $f $($key)?),
                    $crate::model::json::info::$kind::<$ty>(),
                )),*],
                free_form: $free,
            };
        }
        impl $crate::model::json::Entries for $name {
            #[allow(unused_mut)]
            fn from_map(
                mut map: $crate::model::json::Object,
            ) -> Result<Self, $crate::model::json::PathError> {
                use $crate::model::json as j;
                let value = Self {
                    $( $f: j::take::$kind(&mut map, j::models!(@key $f $($key)?))?, )*
                    $rest: j::Rest::from_rest(map)?,
                };
                $( $check(&value)?; )?
                Ok(value)
            }
            fn write_entries<M>(&self, map: &mut M) -> Result<(), M::Error>
            where
                M: ::serde::ser::SerializeMap,
            {
                use $crate::model::json as j;
                $( j::write::$kind(map, j::models!(@key $f $($key)?), &self.$f)?; )*
                j::Rest::write_rest(&self.$rest, map)
            }
        }
        impl $crate::model::Extras for $name {
            fn extras(&self, pointer: &str, out: &mut Vec<String>) {
                use $crate::model::json as j;
                $(
                    let at = j::child(pointer, j::models!(@key $f $($key)?));
                    $crate::model::Extras::extras(&self.$f, &at, out);
                )*
                j::Rest::rest_extras(&self.$rest, pointer, out, !$free);
            }
        }
        impl $crate::model::json::FromJson for $name {
            fn from_json(value: ::serde_json::Value) -> Result<Self, $crate::model::json::PathError> {
                use $crate::model::json as j;
                j::Entries::from_map(j::object(value, concat!("a ", stringify!($name), " object"))?)
            }
        }
        $crate::model::json::union_impls!(@serde $name);
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(None)?;
                $crate::model::json::Entries::write_entries(self, &mut map)?;
                map.end()
            }
        }
    };
    ($($t:tt)*) => { $crate::model::json::models!(@acc [] $($t)*); };
}
pub(crate) use models;

/// `Deserialize` through [`FromJson`], and for a union `enum Name { Variant(Struct), ... }` whose
/// `FromJson` is written by hand: `Serialize` and [`Extras`] delegating to the variant.
macro_rules! union_impls {
    (@serde $name:ident) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                <Self as $crate::model::json::FromJson>::from_json(value)
                    .map_err(<D::Error as ::serde::de::Error>::custom)
            }
        }
    };
    ($name:ident { $($variant:ident),+ $(,)? }) => {
        $crate::model::json::union_impls!(@serde $name);
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( Self::$variant(v) => v.serialize(serializer), )+
                }
            }
        }
        impl $crate::model::Extras for $name {
            fn extras(&self, pointer: &str, out: &mut Vec<String>) {
                match self {
                    $( Self::$variant(v) => v.extras(pointer, out), )+
                }
            }
        }
    };
}
pub(crate) use union_impls;
