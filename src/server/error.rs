//! The only place HTTP status codes appear: `crate::Error` → a JSON `{"error": "…"}` response.
//! Input: library errors and blocking-pool failures. Output: responses with a status.
//! User errors are 400/403/404 with their message (405 for a wrong method); internal ones
//! are logged and answered with a generic message (no paths or internals leak to clients).
//! Also the raw 503 written to a connection past the cap on open connections.

use actix_web::http::StatusCode;
use actix_web::http::header::{ALLOW, CONTENT_TYPE, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::Error;

/// The whole answer to a connection past the cap on open connections (`connections.rs`),
/// written before the connection is closed, without reading its request.
pub const TOO_MANY_CONNECTIONS: &[u8] = "HTTP/1.1 503 Service Unavailable\r\n\
Content-Type: application/json; charset=utf-8\r\nRetry-After: 1\r\nConnection: close\r\n\
Content-Length: 84\r\n\r\n\
{\"error\": \"同时打开的连接太多，请稍后再试（too many connections）\"}"
    .as_bytes();

/// An error as the HTTP API reports it.
#[derive(Debug)]
pub struct ApiError(pub Error);

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl From<Error> for ApiError {
    fn from(err: Error) -> ApiError {
        ApiError(err)
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(_: actix_web::error::BlockingError) -> ApiError {
        ApiError(Error::internal("the search worker stopped unexpectedly"))
    }
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError(Error::bad_request(message))
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError(Error::not_found(message))
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError(Error::Forbidden(message.into()))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match &self.0 {
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::IndexBusy(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let message = if self.0.is_user_error() {
            self.0.to_string()
        } else {
            tracing::error!("internal error: {:#}", self.0);
            "服务器内部错误，请稍后再试".to_string()
        };
        HttpResponse::build(status)
            .insert_header((
                CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            ))
            .body(serde_json::to_string(&ErrorBody { error: &message }).unwrap_or_default())
    }
}

/// 404 for a path the service does not have.
pub async fn no_such_route() -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found("没有这个地址（no such path）"))
}

/// 405 for a method a path does not answer (every path answers GET and HEAD only).
pub async fn method_not_allowed() -> HttpResponse {
    let body = ErrorBody {
        error: "不支持这种请求方法，只能用 GET 或 HEAD（method not allowed）",
    };
    HttpResponse::MethodNotAllowed()
        .insert_header((ALLOW, HeaderValue::from_static("GET, HEAD")))
        .insert_header((
            CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        ))
        .body(serde_json::to_string(&body).unwrap_or_default())
}

/// Status code for a plain success with a body: here so routes never spell codes.
pub fn ok() -> actix_web::HttpResponseBuilder {
    HttpResponse::Ok()
}

/// 204 for requests answered with nothing (favicon).
pub fn no_content() -> HttpResponse {
    HttpResponse::NoContent().finish()
}
