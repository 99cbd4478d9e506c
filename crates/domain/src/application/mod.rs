//! Disclosure applications (依申请公开): the vocabulary of `spec/applications.md`, the case
//! state machine (§12), the deadline engine (§13), the 信息处理费 calculator (§7), the table-3
//! mapping and year-end counting (§9, §10), and the reconsideration/litigation register (§11).
//!
//! Everything here is pure: the service loads a [`Case`], applies a [`Command`] with today's date,
//! the working calendar and the agency's [`Rules`], and stores the result. A refused command
//! leaves the case untouched and says why, in Chinese.

mod deadline;
mod fee;
mod letter;
mod proceeding;
mod state;
mod tally;
mod vocab;

pub use deadline::{Deadline, Due, Pause, Rules, due_date};
pub use fee::{per_item_fee, per_page_fee};
pub use letter::{
    Letter, LetterSettings, consultation_letter, correction_notice, default_preliminary,
    delay_notice, explanation_notice, extension_notice, fee_notice, letter_for, remedies_notice,
};
pub use proceeding::{
    AgencyRole, LitigationPath, Procedure, Proceeding, ProceedingKind, ResultCategory, SubjectKind,
    Table4, cells_of as table4_cells_of, table4,
};
pub use state::{
    Case, Command, Consultation, ConsultationKind, Correction, Decision, DeliveryKind,
    DeliveryRecord, Explanation, Extension, FeeMethod, FeeNotice, Refusal, Who, Withheld,
    event_label,
};
pub use tally::{CountedCase, Table3, Table3Row, column_of, rows_of, table3};
pub use vocab::{
    Applicant, ApplicantKind, ApplicantType, Channel, Disposition, FieldProblem, IdType, Medium,
    Request, RequestDelivery, State, clean, resident_id_ok, uscc_ok,
};
