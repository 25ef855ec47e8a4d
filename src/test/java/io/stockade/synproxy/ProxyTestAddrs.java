package io.stockade.synproxy;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/** Test helper: an address literal in the descriptor's two-long layout. */
final class ProxyTestAddrs {
    private ProxyTestAddrs() {
    }

    static long hi(String a) {
        byte[] b = InetAddress.ofLiteral(a).getAddress();
        return b.length == 4 ? 0 : ByteBuffer.wrap(b).getLong(0);
    }

    static long lo(String a) {
        byte[] b = InetAddress.ofLiteral(a).getAddress();
        return b.length == 4 ? ByteBuffer.wrap(b).getInt(0) & 0xffffffffL : ByteBuffer.wrap(b).getLong(8);
    }
}
