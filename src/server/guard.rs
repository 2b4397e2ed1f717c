//! Checks every request passes before it reaches a route: no route reads a request body, so a
//! GET or HEAD that carries one is refused with a JSON 400, and any body is left unread and
//! held by the response body until it is sent, which makes actix close the connection right
//! after answering (its lingering close, `client_disconnect_timeout`) instead of draining a
//! body that may never end (what it does with a chunked body nobody holds).

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use actix_web::middleware::Next;
use actix_web::web::Bytes;

use super::error::ApiError;

/// A response body that holds the request's unread body until it has been sent.
pub(super) struct Holding {
    body: BoxBody,
    _unread: Payload,
}

impl MessageBody for Holding {
    type Error = <BoxBody as MessageBody>::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_next(cx)
    }
}

/// True when the request announces a body (chunked, or a length other than 0).
fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(TRANSFER_ENCODING)
        || headers
            .get(CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() != b"0")
}

/// Refuses bodies on GET and HEAD and never reads one (see the module header).
pub(super) async fn bodies(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, Holding>>, actix_web::Error> {
    if !has_body(&req) {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let payload = std::mem::replace(req.parts_mut().1, Payload::None);
    let response = if matches!(*req.method(), Method::GET | Method::HEAD) {
        req.error_response(ApiError::bad_request(
            "GET 请求不能带请求体（request body not allowed）",
        ))
    } else {
        next.call(req).await?.map_body(|_, body| body.boxed())
    };
    Ok(response
        .map_body(|_, body| Holding {
            body,
            _unread: payload,
        })
        .map_into_right_body())
}
