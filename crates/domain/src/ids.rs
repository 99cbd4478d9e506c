//! Typed row identifiers, so an agency id is never passed where a user id is expected.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// An agency (机关): a government or one of its departments.
    AgencyId
);
id_type!(
    /// A division (处室/科室) inside an agency.
    DivisionId
);
id_type!(
    /// A staff account.
    UserId
);
id_type!(
    /// A portal column (栏目).
    ColumnId
);
