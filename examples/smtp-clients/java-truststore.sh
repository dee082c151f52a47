keytool -importcert -noprompt -alias mailbeacon -file /path/to/smtp-tls.crt -keystore mailbeacon.p12 -storepass changeit
export JAVA_TOOL_OPTIONS="-Djavax.net.ssl.trustStore=mailbeacon.p12 -Djavax.net.ssl.trustStorePassword=changeit"
