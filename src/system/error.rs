//! Errors of retrieval systems.

/// What can go wrong setting up or running a system.
#[derive(Debug, thiserror::Error)]
pub enum SystemError {
    /// A `--system` value that does not parse.
    #[error("--system {spec:?}: {why}")]
    Spec { spec: String, why: String },
    /// A system needs something that was not given (a second index, a dense part, a run).
    #[error("system {system}: {why}")]
    Unavailable { system: String, why: String },
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
    #[error(transparent)]
    Encoder(#[from] crate::encoder::EncoderError),
    #[error(transparent)]
    Eval(#[from] crate::eval::EvalError),
}

/// Result type of systems.
pub type Result<T, E = SystemError> = std::result::Result<T, E>;
