/**
 * Fulcrum's own HTTP/1.1 response path from backends: {@link io.fulcrum.proxy.http1.ResponseParser}
 * reads a backend's response head once, keeps its bytes, and passes the body on as slices of what was
 * read; {@link io.fulcrum.proxy.http1.ResponseHeadEncoder} writes that head to an HTTP/1.1 client as
 * the bytes that came, less the hop-by-hop lines. Netty's codec would build a header map from the
 * head and encode it again, for a head the proxy only needs four facts of (status, length, chunked,
 * keep-alive): that work was the largest share of Fulcrum's CPU per request in profiles.
 */
package io.fulcrum.proxy.http1;
