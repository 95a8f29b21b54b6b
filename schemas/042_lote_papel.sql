-- faturo schema, migration 042 (Part L): the physical papers some operators
-- still demand. Per lote, the delivery of its paper guias (date, who took
-- them, the operator's receipt protocol); per guia, whether its signed paper
-- is in the office. Neither changes the lote or the guia (a sent lote stays
-- immutable): they are kept beside them.
CREATE TABLE lote_papel (
  lote_id        INTEGER PRIMARY KEY REFERENCES lote(id) ON DELETE CASCADE,
  entregue_em    TEXT NOT NULL,             -- AAAA-MM-DD, the day the papers were delivered
  entregue_por   TEXT NOT NULL,             -- who took them (free text: a name)
  protocolo      TEXT,                      -- the operator's receipt, when given
  observacao     TEXT,
  registrado_em  TEXT NOT NULL,
  registrado_por TEXT NOT NULL
);

CREATE TABLE guia_papel (
  guia_id        INTEGER PRIMARY KEY REFERENCES guia(id) ON DELETE CASCADE,
  recebido_em    TEXT NOT NULL,             -- when the signed paper was marked as in hand
  recebido_por   TEXT NOT NULL
);
