import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local as its jar's main starts it (same command-line options), but listening on
 * 127.0.0.1 only: the emulator has no option for its address and binds every interface, which
 * would let anyone on the network read and write the table. Compiled and run by
 * local/dynamodb-local-process.ts. If a later emulator changes the internals reached here, it
 * says so on stderr and starts as shipped rather than not at all.
 */
public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    try {
      Field field = DynamoDBProxyServer.class.getDeclaredField("server");
      field.setAccessible(true);
      for (Connector connector : ((Server) field.get(proxy)).getConnectors()) {
        ((ServerConnector) connector).setHost("127.0.0.1");
      }
    } catch (ReflectiveOperationException | ClassCastException error) {
      System.err.println("DynamoDB Local: cannot bind to 127.0.0.1 only (" + error + "); listening on every interface");
    }
    proxy.start();
  }
}
