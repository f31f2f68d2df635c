package org.jbits.server;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own error replies (a request it could not parse, headers past its limit, a failure outside the handler)
 * as Acks: the status Jetty chose, {@code BITS-Error-Code}/{@code BITS-Error-Context}, and {@code Content-Length: 0}
 * instead of an HTML page, so that even these are replies a BITS client understands.
 */
final class AckErrorHandler extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        if (status < 400) {
            status = 500;
        }
        Ack.error(BitsError.http(status), null).send(response, callback);
        return true;
    }
}
