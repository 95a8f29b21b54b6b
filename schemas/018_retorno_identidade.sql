-- faturo schema, migration 018 (Part J): a return is the same return by its
-- identity in the message, not by the file's bytes; a correction from the
-- operadora waits for a person's decision. Indexes for matching returned guias.

-- retorno importar finds guias by (operadora, número no prestador) and, failing
-- that, (operadora, número na operadora): the UNIQUE index of guia starts with
-- prestador_id and cannot serve either lookup
CREATE INDEX guia_operadora_numero ON guia(operadora_id, numero_prestador);
CREATE INDEX guia_operadora_numero_op ON guia(operadora_id, numero_operadora);

-- identity: 'TIPO|registroANS|número' (numeroDemonstrativo, or numeroProtocolo
-- of a protocolo de recebimento); content: SHA-256 of the message body as read
-- (fat_tiss_msg.conteudo_sha256), the same for re-indented or re-encoded files
ALTER TABLE retorno ADD COLUMN identidade TEXT;
ALTER TABLE retorno ADD COLUMN conteudo_sha256 TEXT;
-- a return replaced by an accepted correction points to its successor
ALTER TABLE retorno ADD COLUMN substituido_por INTEGER REFERENCES retorno(id);
UPDATE retorno SET identidade = tipo || '|' ||
  (SELECT o.registro_ans FROM operadora o WHERE o.id = retorno.operadora_id) || '|' ||
  numero_demonstrativo
  WHERE numero_demonstrativo IS NOT NULL AND operadora_id IS NOT NULL;
CREATE INDEX retorno_identidade ON retorno(identidade);
CREATE INDEX retorno_conteudo ON retorno(conteudo_sha256);

-- a file with the identity of an imported return and another content: kept
-- whole, applied only when a person accepts it
CREATE TABLE retorno_conflito (
  id               INTEGER PRIMARY KEY,
  retorno_id       INTEGER NOT NULL REFERENCES retorno(id),  -- the return it would replace
  identidade       TEXT NOT NULL,
  tipo             TEXT NOT NULL,
  arquivo          TEXT,
  sha256           TEXT NOT NULL UNIQUE,                     -- of the file's bytes
  conteudo_sha256  TEXT NOT NULL,
  xml              BLOB NOT NULL,
  diferencas       TEXT,                                     -- pt-BR: what changed
  recebido_em      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  usuario          TEXT,
  situacao         TEXT NOT NULL DEFAULT 'pendente'
                   CHECK (situacao IN ('pendente', 'aceito', 'descartado')),
  decidido_em      TEXT,
  decidido_por     TEXT,
  motivo           TEXT,
  novo_retorno_id  INTEGER REFERENCES retorno(id)            -- when accepted
);
CREATE INDEX retorno_conflito_retorno ON retorno_conflito(retorno_id);
