package io.lasthop.edge.transport.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionDecoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandshaker;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * permessage-deflate (RFC 7692) with a bound on what a client's message may inflate to. Netty's
 * own decoder inflates a message whole, so 64 KiB on the wire could become tens of megabytes: here
 * a message stops at {@code max.frame.bytes} inflated and the connection is closed with 1009, as
 * for a message too large on the wire. The inflater keeps its window from one message to the next,
 * as browsers compress with context takeover. What the edge sends is compressed by Netty's encoder.
 */
public final class BoundedDeflate implements WebSocketServerExtensionHandshaker {
    private static final byte[] TAIL = {0, 0, (byte) 0xff, (byte) 0xff};

    private final PerMessageDeflateServerExtensionHandshaker netty;
    private final int maxMessageBytes;

    public BoundedDeflate(int maxMessageBytes) {
        // Level 6, no server window negotiation, client window 15, contexts dropped when the client asks.
        this.netty = new PerMessageDeflateServerExtensionHandshaker(6, false, 15, true, true);
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public WebSocketServerExtension handshakeExtension(WebSocketExtensionData offer) {
        WebSocketServerExtension accepted = netty.handshakeExtension(offer);
        if (accepted == null) {
            return null;
        }
        return new WebSocketServerExtension() {
            @Override
            public int rsv() {
                return accepted.rsv();
            }

            @Override
            public WebSocketExtensionEncoder newExtensionEncoder() {
                return accepted.newExtensionEncoder();
            }

            @Override
            public WebSocketExtensionDecoder newExtensionDecoder() {
                return new Decoder(maxMessageBytes);
            }

            @Override
            public WebSocketExtensionData newReponseData() {
                return accepted.newReponseData();
            }
        };
    }

    /** Inflates compressed messages fragment by fragment, each fragment bounded. */
    static final class Decoder extends WebSocketExtensionDecoder {
        private final int maxMessageBytes;
        private final Inflater inflater = new Inflater(true);
        private boolean inCompressedMessage;
        private int inflatedSoFar;

        Decoder(int maxMessageBytes) {
            this.maxMessageBytes = maxMessageBytes;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) throws Exception {
            boolean compressed = (frame.rsv() & WebSocketExtension.RSV1) != 0;
            boolean data = frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame;
            if (data && compressed) {
                inCompressedMessage = true;
                inflatedSoFar = 0;
            } else if (!(frame instanceof ContinuationWebSocketFrame && inCompressedMessage)) {
                out.add(frame.retain()); // uncompressed, or a control frame
                return;
            }
            ByteBuf inflated = inflate(ctx, frame.content(), frame.isFinalFragment());
            if (frame.isFinalFragment()) {
                inCompressedMessage = false;
            }
            int rsv = frame.rsv() & ~WebSocketExtension.RSV1;
            if (frame instanceof TextWebSocketFrame) {
                out.add(new TextWebSocketFrame(frame.isFinalFragment(), rsv, inflated));
            } else if (frame instanceof BinaryWebSocketFrame) {
                out.add(new BinaryWebSocketFrame(frame.isFinalFragment(), rsv, inflated));
            } else {
                out.add(new ContinuationWebSocketFrame(frame.isFinalFragment(), rsv, inflated));
            }
        }

        private ByteBuf inflate(ChannelHandlerContext ctx, ByteBuf compressed, boolean last) throws Exception {
            byte[] input = new byte[compressed.readableBytes() + (last ? TAIL.length : 0)];
            compressed.getBytes(compressed.readerIndex(), input, 0, compressed.readableBytes());
            if (last) {
                System.arraycopy(TAIL, 0, input, compressed.readableBytes(), TAIL.length);
            }
            inflater.setInput(input);
            ByteBuf out = ctx.alloc().heapBuffer(Math.min(maxMessageBytes, Math.max(256, input.length * 4)));
            try {
                byte[] chunk = new byte[8192];
                while (!inflater.needsInput() && !inflater.finished()) {
                    int n = inflater.inflate(chunk);
                    if (n == 0 && (inflater.needsDictionary() || inflater.needsInput())) {
                        break;
                    }
                    inflatedSoFar += n;
                    if (inflatedSoFar > maxMessageBytes) {
                        throw new TooLongFrameException(
                                "a compressed message inflates past " + maxMessageBytes + " bytes");
                    }
                    out.writeBytes(chunk, 0, n);
                }
                return out;
            } catch (DataFormatException e) {
                out.release();
                throw new CorruptedWebSocketFrameException(
                        WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "bad deflate data: " + e.getMessage());
            } catch (RuntimeException e) {
                out.release();
                throw e;
            }
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            inflater.end();
        }
    }
}
