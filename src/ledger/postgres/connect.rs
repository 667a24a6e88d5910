//! Connecting to the server (TLS through rustls, as `sslmode` asks), and turning the
//! client's errors into [`LedgerError`]s that say what to fix.

use std::sync::Arc;

use postgres::error::SqlState;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::url::{SslMode, Url};
use crate::ledger::error::LedgerError;

/// Opens a connection to the server `url` names.
pub(super) fn connect(url: &Url) -> Result<postgres::Client, LedgerError> {
    let mut config = url.config();
    let result = if url.ssl_mode == SslMode::Disable {
        config.ssl_mode(postgres::config::SslMode::Disable);
        config.connect(postgres::NoTls)
    } else {
        let mode = match url.ssl_mode {
            SslMode::Prefer => postgres::config::SslMode::Prefer,
            _ => postgres::config::SslMode::Require,
        };
        config.ssl_mode(mode);
        config.connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls_config(url)?))
    };
    result.map_err(|error| connect_error(url, &error))
}

/// The TLS configuration `sslmode` asks for.
fn tls_config(url: &Url) -> Result<rustls::ClientConfig, LedgerError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|error| tls_error(url, &error.to_string()))?;
    let verifier: Arc<dyn ServerCertVerifier> = match url.ssl_mode {
        SslMode::Disable | SslMode::Prefer | SslMode::Require => {
            Arc::new(Verifier { chain: None, check_name: false, provider })
        }
        SslMode::VerifyCa | SslMode::VerifyFull => {
            let roots = Arc::new(roots(url)?);
            let chain = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                .build()
                .map_err(|error| tls_error(url, &error.to_string()))?;
            Arc::new(Verifier { chain: Some(chain), check_name: url.ssl_mode == SslMode::VerifyFull, provider })
        }
    };
    Ok(builder.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth())
}

/// The roots trusted: `sslrootcert`, else `~/.postgresql/root.crt` (as libpq; on Windows
/// `%APPDATA%\postgresql\root.crt`), else the system's.
fn roots(url: &Url) -> Result<RootCertStore, LedgerError> {
    let home_root = crate::platform::libpq::root_certificates();
    let file = url.root_cert.clone().or(home_root.filter(|file| file.is_file()));
    let mut store = RootCertStore::empty();
    let certificates: Vec<CertificateDer<'static>> = match &file {
        Some(file) => CertificateDer::pem_file_iter(file).and_then(|certs| certs.collect()).map_err(|error| {
            tls_error(url, &format!("cannot read the root certificates {}: {error}", file.display()))
        })?,
        None => rustls_native_certs::load_native_certs().certs,
    };
    let (added, _) = store.add_parsable_certificates(certificates);
    if added == 0 {
        let from = file.map_or("the system".to_owned(), |file| file.display().to_string());
        return Err(tls_error(url, &format!("no usable root certificate in {from}; pass sslrootcert=FILE")));
    }
    Ok(store)
}

/// Checks the server's certificate as `sslmode` asks: not at all, the chain only, or
/// the chain and the name. Signatures are always checked.
#[derive(Debug)]
struct Verifier {
    /// The chain's verifier, `None` when the certificate is not checked.
    chain: Option<Arc<WebPkiServerVerifier>>,
    /// Whether the name must match too (`verify-full`).
    check_name: bool,
    /// The signature algorithms.
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if !self.check_name => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// A TLS set-up failure.
fn tls_error(url: &Url, reason: &str) -> LedgerError {
    LedgerError::Open { location: url.to_string(), reason: format!("TLS: {reason}") }
}

/// Why a connection could not be opened, as something to fix.
fn connect_error(url: &Url, error: &postgres::Error) -> LedgerError {
    let location = url.to_string();
    if let Some(db) = error.as_db_error() {
        let reason = db.message().to_owned();
        return match db.code() {
            code if *code == SqlState::INVALID_PASSWORD || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
                LedgerError::LoginRefused { location, reason }
            }
            code if *code == SqlState::INVALID_CATALOG_NAME => {
                LedgerError::NoSuchDatabase { location, database: url.database() }
            }
            code if *code == SqlState::CANNOT_CONNECT_NOW || *code == SqlState::TOO_MANY_CONNECTIONS => {
                LedgerError::Unreachable { location, reason }
            }
            _ => LedgerError::Open { location, reason },
        };
    }
    let reason = describe(error);
    if reason.contains("password missing") {
        return LedgerError::LoginRefused {
            location,
            reason: "the server asks for a password and none was given".into(),
        };
    }
    if reason.contains("TLS") || reason.contains("certificate") || reason.contains("tls") {
        return LedgerError::Open { location, reason };
    }
    LedgerError::Unreachable { location, reason }
}

/// The client's error with its causes, on one line.
pub(super) fn describe(error: &postgres::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}

/// A failed statement as a [`LedgerError`]: privileges, lost connections and lost races
/// get their own variants; anything else is the server's message.
pub(super) fn statement_error(error: &postgres::Error) -> LedgerError {
    let Some(db) = error.as_db_error() else {
        return if error.is_closed() || std::error::Error::source(error).is_some_and(|s| s.is::<std::io::Error>()) {
            LedgerError::ConnectionLost(describe(error))
        } else {
            LedgerError::Backend(describe(error))
        };
    };
    let code = db.code();
    if is_lost_race(code) {
        LedgerError::Conflicted { attempts: 1 }
    } else if *code == SqlState::INSUFFICIENT_PRIVILEGE || *code == SqlState::READ_ONLY_SQL_TRANSACTION {
        LedgerError::NotPermitted(db.message().to_owned())
    } else if code.code().starts_with("57P") || code.code().starts_with("08") {
        LedgerError::ConnectionLost(db.message().to_owned())
    } else {
        LedgerError::Backend(format!("{} (SQLSTATE {})", db.message(), code.code()))
    }
}

/// Whether a statement failed because another transaction got in its way: a
/// serialization failure or a deadlock. Running the transaction again may succeed.
pub(super) fn is_lost_race(code: &SqlState) -> bool {
    *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED
}
