/* fat_demo.c: deterministic demonstration clinic with injected defects. */
#include "fat_demo.h"

#include <stdio.h>
#include <string.h>

#include "fat_cadastro.h"
#include "fat_dia.h"
#include "fat_mem.h"
#include "fat_model.h"
#include "fat_money.h"
#include "fat_store_int.h"
#include "fat_tabelas.h"

/* ------------------------------------------------------------------------ */
/* Defect classes (CONTRATOS-DEMO.md)                                        */

enum {
  D_CARTEIRA_AUSENTE = 0, D_CARTEIRA_VENCIDA, D_SENHA_AUSENTE, D_SENHA_VENCIDA,
  D_DATA_ANTES_AUTORIZACAO, D_CID_AUSENTE, D_ASSINATURA_AUSENTE, D_PEDIDO_MEDICO_AUSENTE,
  D_DUPLICIDADE, D_PRECO_ACIMA_CONTRATO, D_TOTAL_DIVERGENTE, D_CPF_INVALIDO, D_CNS_INVALIDO,
  D_PROFISSIONAL_INCOMPLETO, D_CODIGO_INVALIDO, D_QUANTIDADE_INVALIDA, D_ITEM_FORA_PERIODO,
  D_PRAZO_EXCEDIDO, D_SEXO_INCOMPATIVEL, D_CONSULTA_RETORNO
};

static const char *const classes[FAT_DEMO_N_CLASSES] = {
  "CARTEIRA_AUSENTE", "CARTEIRA_VENCIDA", "SENHA_AUSENTE", "SENHA_VENCIDA",
  "DATA_ANTES_AUTORIZACAO", "CID_AUSENTE", "ASSINATURA_AUSENTE", "PEDIDO_MEDICO_AUSENTE",
  "DUPLICIDADE", "PRECO_ACIMA_CONTRATO", "TOTAL_DIVERGENTE", "CPF_INVALIDO", "CNS_INVALIDO",
  "PROFISSIONAL_INCOMPLETO", "CODIGO_INVALIDO", "QUANTIDADE_INVALIDA", "ITEM_FORA_PERIODO",
  "PRAZO_EXCEDIDO", "SEXO_INCOMPATIVEL", "CONSULTA_RETORNO"};

/* Share of guias per class, in basis points (150 = 1.5%). */
#define DEMO_RATE_BP 150

const char *fat_demo_classe(int i)
{
  return (i >= 0 && i < FAT_DEMO_N_CLASSES) ? classes[i] : NULL;
}

/* ------------------------------------------------------------------------ */
/* PRNG: splitmix64                                                          */

typedef struct rng {
  uint64_t s;
} rng;

static uint64_t rnext(rng *r)
{
  uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);

  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Uniform-enough integer in [lo, hi] (the modulo bias is < 2^-40 here). */
static int rint_(rng *r, int lo, int hi)
{
  return lo + (int)(rnext(r) % (uint64_t)(hi - lo + 1));
}


/* ------------------------------------------------------------------------ */
/* Catalog (must match the CSV files of rules/tabelas/demo)                   */

typedef struct cat {
  const char *codigo;
  const char *tabela;
  const char *tipo;
  const char *descricao;
  char sexo; /* 'F'/'M' exclusive, 0 any */
} cat;

#define C22(c, d) {c, "22", "procedimento", d, 0}
static const cat LAB[] = {
  C22("40304361", "Hemograma com contagem de plaquetas ou frações"),
  C22("40301630", "Creatinina"), C22("40302040", "Glicose"), C22("40301583", "Colesterol total"),
  C22("40302733", "Triglicerídeos"), C22("40302016", "Colesterol HDL"),
  C22("40316521", "Hormônio tireoestimulante (TSH)"), C22("40311210", "Urina tipo I (rotina)"),
  C22("40302318", "Potássio"), C22("40302423", "Sódio")};
static const cat PSA = {"40316378", "22", "procedimento", "Antígeno prostático específico (PSA) total",
                        'M'};
static const cat IMG[] = {
  C22("40805026", "Radiografia de tórax (PA e perfil)"),
  C22("40805018", "Radiografia de seios da face"),
  C22("40806030", "Radiografia de coluna lombo-sacra"),
  C22("40901106", "Ultrassonografia de abdome total"),
  C22("40901165", "Ultrassonografia de tireoide"),
  C22("41001010", "Tomografia computadorizada de crânio")};
static const cat MAMO = {"40808017", "22", "procedimento", "Mamografia convencional bilateral", 'F'};
static const cat COLPO = {"40901122", "22", "procedimento", "Colpocitologia oncótica", 'F'};
static const cat ECG = C22("40101010", "Eletrocardiograma convencional (ECG)");
static const cat ENDO = C22("40201120", "Endoscopia digestiva alta");
static const cat BIOPSIA = C22("30101018", "Biópsia de pele");
static const cat EXERESE = C22("30101271", "Exérese de lesão de pele e tecido celular subcutâneo");
static const cat CONSULTA = C22("10101012", "Consulta em consultório (no horário normal ou preestabelecido)");
static const cat CONSULTA_PS = C22("10101039", "Consulta em pronto-socorro");
static const cat VISITA = C22("10102019", "Visita hospitalar (paciente internado)");

typedef struct surg {
  cat c;
  int esp;            /* index in PROFS of the first surgeon of this specialty */
  const char *cid;
  int aux, anest;     /* has auxiliar / anesthetist (per demo CBHPM) */
} surg;

static const surg SURG[] = {
  {C22("31005080", "Herniorrafia inguinal unilateral"), 5, "K409", 1, 1},
  {C22("31005497", "Colecistectomia sem colangiografia por videolaparoscopia"), 5, "K802", 1, 1},
  {C22("30715016", "Artroscopia de joelho com meniscectomia"), 4, "M232", 1, 1},
  {C22("30502024", "Amigdalectomia das palatinas"), 12, "J350", 1, 1}};

#define C19(c, d) {c, "19", "material", d, 0}
static const cat MAT[] = {
  C19("79000110", "Luva de procedimento não estéril (par)"),
  C19("79012011", "Seringa descartável 10 ml"), C19("79019023", "Equipo macrogotas"),
  C19("79033041", "Cateter intravenoso periférico 20G"),
  C19("79048011", "Fio de sutura nylon 3-0 com agulha"),
  C19("79062020", "Compressa de gaze estéril 7,5 x 7,5 cm (pacote com 10)"),
  C19("79071010", "Agulha descartável 40 x 12"), C19("79085015", "Eletrodo descartável para ECG")};
#define C20(c, d) {c, "20", "medicamento", d, 0}
static const cat MED[] = {
  C20("90012178", "Dipirona sódica 500 mg/ml solução injetável 2 ml"),
  C20("90023091", "Cefazolina sódica 1 g pó para solução injetável"),
  C20("90052025", "Omeprazol sódico 40 mg pó para solução injetável"),
  C20("90077060", "Lidocaína 2% sem vasoconstritor 20 ml"),
  C20("90098114", "Midazolam 5 mg/ml solução injetável 3 ml"),
  C20("90114020", "Cloreto de sódio 0,9% solução injetável 500 ml"),
  C20("90138817", "Ondansetrona 8 mg/4 ml solução injetável"),
  C20("90185750", "Cetoprofeno 100 mg pó para solução injetável")};
static const cat DIARIA_ENF = {"60023015", "18", "diaria", "Diária de enfermaria (2 leitos ou mais)", 0};
static const cat DIARIA_APT = {"60023023", "18", "diaria", "Diária de apartamento", 0};
static const cat TAXA_SALA = {"60001038", "18", "taxa", "Taxa de sala cirúrgica", 0};
static const cat OXIGENIO = {"60033010", "18", "gas", "Oxigênio (por hora)", 0};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------ */
/* Operators, professionals, names                                           */

typedef struct demo_op {
  const char *chave, *nome, *registro, *codigo_prestador;
  int peso;           /* share of beneficiaries, % */
  int prazo_dias;     /* prazo de apresentação */
} demo_op;

static const demo_op OPS[4] = {
  {"aurora", "Aurora Saúde", "312347", "A-10234", 30, 90},
  {"vitalis", "Vitalis Assistência Médica", "345671", "77001", 25, 60},
  {"horizonte", "Horizonte Cooperativa Médica", "368253", "HZ-5520", 25, 120},
  {"serena", "Serena Autogestão em Saúde", "391116", "000912", 20, 90}};

typedef struct demo_prof {
  const char *nome, *conselho, *cbo, *especialidade, *uf;
} demo_prof;

/* Index constants used by the generator. */
enum { P_CLIN1 = 0, P_CLIN2, P_CARDIO, P_GINECO, P_ORTO, P_CIRG1, P_CIRG2, P_ANEST1, P_ANEST2,
       P_RADIO, P_PATOL, P_GASTRO, P_OTORRINO, P_DERMATO, P_PEDIATRA, P_URO, P_ENDOCRINO,
       P_DENTISTA, P_FISIO, P_NUTRI, P_COUNT };

static const demo_prof PROFS[P_COUNT] = {
  {"Ana Beatriz Moraes Leite", "CRM", "225125", "Clínica médica", "SP"},
  {"Carlos Eduardo Pacheco", "CRM", "225125", "Clínica médica", "SP"},
  {"Renata Figueiredo Salles", "CRM", "225120", "Cardiologia", "SP"},
  {"Juliana Castro Menezes", "CRM", "225250", "Ginecologia e obstetrícia", "SP"},
  {"Marcelo Augusto Tavares", "CRM", "225270", "Ortopedia e traumatologia", "SP"},
  {"Roberto Siqueira Nunes", "CRM", "225225", "Cirurgia geral", "SP"},
  {"Patrícia Gomes Arantes", "CRM", "225225", "Cirurgia geral", "MG"},
  {"Fernando Luiz Barros", "CRM", "225151", "Anestesiologia", "SP"},
  {"Cláudia Regina Fontes", "CRM", "225151", "Anestesiologia", "SP"},
  {"Eduardo Henrique Lins", "CRM", "225320", "Radiologia e diagnóstico por imagem", "SP"},
  {"Sílvia Maria Prado", "CRM", "225335", "Patologia clínica/medicina laboratorial", "SP"},
  {"Gustavo Rezende Amaral", "CRM", "225165", "Gastroenterologia", "SP"},
  {"Helena Vasconcelos Rocha", "CRM", "225275", "Otorrinolaringologia", "SP"},
  {"Lucas Martins Queiroz", "CRM", "225135", "Dermatologia", "SP"},
  {"Mariana Teixeira Borges", "CRM", "225124", "Pediatria", "SP"},
  {"Otávio Bastos Carvalho", "CRM", "225285", "Urologia", "SP"},
  {"Tatiane Lopes Guimarães", "CRM", "225155", "Endocrinologia e metabologia", "SP"},
  {"Rafael Antunes Pires", "CRO", "223208", "Odontologia clínica", "SP"},
  {"Bianca Oliveira Serra", "CREFITO", "223605", "Fisioterapia", "SP"},
  {"Débora Cunha Falcão", "CRN", "223710", "Nutrição", "SP"}};

/* Professionals who see consultas. */
static const int CONSULTANTES[] = {P_CLIN1, P_CLIN2, P_CARDIO, P_GINECO, P_ORTO, P_GASTRO,
                                   P_OTORRINO, P_DERMATO, P_PEDIATRA, P_URO, P_ENDOCRINO};

static const char *const NOMES_F[] = {
  "Maria", "Ana", "Francisca", "Antônia", "Adriana", "Juliana", "Márcia", "Fernanda", "Patrícia",
  "Aline", "Sandra", "Camila", "Amanda", "Bruna", "Jéssica", "Letícia", "Júlia", "Luciana",
  "Vanessa", "Mariana", "Gabriela", "Larissa", "Beatriz", "Rafaela", "Isabela", "Lúcia",
  "Helena", "Sofia", "Valentina", "Raimunda", "Cristiane", "Tatiane", "Simone", "Daniela"};
static const char *const NOMES_M[] = {
  "José", "João", "Antônio", "Francisco", "Carlos", "Paulo", "Pedro", "Lucas", "Luiz",
  "Marcos", "Luís", "Gabriel", "Rafael", "Daniel", "Marcelo", "Bruno", "Eduardo", "Felipe",
  "Raimundo", "Rodrigo", "Manoel", "Mateus", "André", "Fernando", "Fábio", "Leonardo",
  "Gustavo", "Guilherme", "Leandro", "Tiago", "Davi", "Arthur", "Heitor", "Sebastião"};
static const char *const SOBRENOMES[] = {
  "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima",
  "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes",
  "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques",
  "Machado", "Mendes", "Freitas", "Cardoso", "Ramos", "Gonçalves", "Santana", "Teixeira",
  "Araújo", "Batista", "Correia", "Cavalcanti", "Monteiro", "Moura", "Pinto", "Campos",
  "Cunha", "Azevedo", "Brito", "Xavier", "Medeiros", "Farias", "Bezerra"};

static const char *const CIDS_CLIN[] = {"J069", "I10",  "E119", "M545", "K219", "N390", "R51",
                                        "Z000", "J029", "E785", "K297", "F411", "M255", "L709"};

/* ------------------------------------------------------------------------ */
/* Check digits                                                              */

/* The two check digits of a CPF whose first nine digits are d[0..8]. */
static void cpf_digits(int d[11], char out[12])
{
  int i, s;

  for (s = 0, i = 0; i < 9; i++)
    s += d[i] * (10 - i);
  d[9] = (s % 11 < 2) ? 0 : 11 - s % 11;
  for (s = 0, i = 0; i < 10; i++)
    s += d[i] * (11 - i);
  d[10] = (s % 11 < 2) ? 0 : 11 - s % 11;
  for (i = 0; i < 11; i++)
    out[i] = (char)('0' + d[i]);
  out[11] = '\0';
}

static void cpf_make(rng *r, char out[12])
{
  int d[11], i, same;

  do {
    same = 1;
    for (i = 0; i < 9; i++) {
      d[i] = rint_(r, 0, 9);
      if (d[i] != d[0])
        same = 0;
    }
  } while (same);
  cpf_digits(d, out);
}

/* The CPF of person number i (beneficiaries of the pool, then the dedicated
** ones): the nine digits are (i * A + B) mod 10^9 with A prime to 10, a
** bijection, so two people never share a CPF however many there are. The
** ten numbers of one repeated digit (invalid CPFs) move to i + 5 * 10^8,
** an index no other person uses (there are far fewer people). */
static void cpf_of(uint64_t i, uint64_t salt, char out[12])
{
  int d[11], k, same;
  uint64_t v;

  for (;;) {
    v = (i * 387420489ull + salt % 1000000000ull) % 1000000000ull;
    same = 1;
    for (k = 8; k >= 0; k--) {
      d[k] = (int)(v % 10);
      v /= 10;
    }
    for (k = 1; k < 9; k++)
      if (d[k] != d[0])
        same = 0;
    if (!same)
      break;
    i += 500000000ull;
  }
  cpf_digits(d, out);
}

/* Provisional CNS (starts with 7, 8 or 9): weighted sum (15..1) mod 11 == 0. */
static void cns_make(rng *r, char out[16])
{
  int d[15], i, s;

  for (;;) {
    d[0] = rint_(r, 7, 9);
    for (i = 1; i < 14; i++)
      d[i] = rint_(r, 0, 9);
    for (s = 0, i = 0; i < 14; i++)
      s += d[i] * (15 - i);
    d[14] = (11 - s % 11) % 11;
    if (d[14] < 10)
      break;
  }
  for (i = 0; i < 15; i++)
    out[i] = (char)('0' + d[i]);
  out[15] = '\0';
}

/* Last digit + 1 (mod 10): breaks a CPF or CNS check. */
static void spoil_last(char *s)
{
  size_t n = strlen(s);

  s[n - 1] = (char)('0' + ((s[n - 1] - '0' + 1) % 10));
}

static void cnpj_make(const char *base12, char out[15])
{
  static const int w1[12] = {5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2};
  static const int w2[13] = {6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2};
  int s = 0, i, d1, d2;

  memcpy(out, base12, 12);
  for (i = 0; i < 12; i++)
    s += (out[i] - '0') * w1[i];
  d1 = (s % 11 < 2) ? 0 : 11 - s % 11;
  out[12] = (char)('0' + d1);
  for (s = 0, i = 0; i < 13; i++)
    s += (out[i] - '0') * w2[i];
  d2 = (s % 11 < 2) ? 0 : 11 - s % 11;
  out[13] = (char)('0' + d2);
  out[14] = '\0';
}

/* ------------------------------------------------------------------------ */
/* Generator state                                                           */

typedef struct benef {
  char nome[96];
  char cpf[12];
  char cns[16];
  char nascimento[11];
  char sexo[2];
  int op[2];          /* operator indices; op[1] = -1 when only one */
  int apt[2];         /* plano apartamento? per carteira */
  char carteira[2][24];
} benef;

typedef struct meta {
  fat_guia *g;
  int op;
  int benef;          /* index in pool, -1 for dedicated */
  int classe;         /* injected defect or -1 */
  int internacao_de;  /* for honorários: index of its internação, else -1 */
  int male;
} meta;

/* Bloom filter of 64-bit keys: "maybe present" or "surely absent". The
** generator only asks "could this clash?"; a false "maybe" makes it draw
** another day or person, which costs nothing but a retry, while the size
** stays fixed by the number of guias (~8 bytes per guia), not by what was
** added. */
typedef struct kset {
  uint64_t *v;
  uint64_t mask;      /* bits - 1 (bits a power of two) */
} kset;

typedef struct gen {
  fat_store *st;
  fat_pricer *p;
  rng r;
  int y, m, ndays;            /* competência */
  int32_t dia0;               /* first day of the month */
  char comp[8];
  char cnpj[15];
  int64_t op_id[4];
  int64_t plano_id[4][2];     /* [op][0 enfermaria, 1 apartamento] */
  int64_t prest_id;           /* the prestador of G->cnpj */
  fat_guia_saver *sv;         /* one import-style saver for the whole transaction */
  int npool;                  /* beneficiaries of the pool, derived by index */
  uint64_t pool_seed;
  benef cur;                  /* the last beneficiary derived (benef_at) */
  int cur_i;                  /* its index, -1 for none */
  char prof_num[P_COUNT][16];
  meta *gs;                   /* the guias of the chunk being generated */
  int ng, capg;
  int seq;                    /* numero_prestador sequence */
  int extra_benef;            /* dedicated beneficiaries created */
  kset triples;               /* beneficiário + procedure + date */
  kset pairs;                 /* beneficiário + executante (consultas) */
  int oom;
} gen;

static uint64_t mix(uint64_t h, uint64_t v)
{
  h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdull;
}

static uint64_t str_hash(const char *s)
{
  uint64_t h = 1469598103934665603ull;

  while (*s != '\0')
    h = (h ^ (unsigned char)*s++) * 1099511628211ull;
  return h;
}

/* Room for about `keys` keys at 16 bits each (4 probes: ~0.2% false "maybe"). */
static int kset_init(kset *k, uint64_t keys)
{
  uint64_t bits = 1ull << 16;

  while (bits < keys * 16 && bits < (1ull << 34))
    bits <<= 1;
  k->v = fat_calloc((size_t)(bits / 64), sizeof *k->v);
  k->mask = bits - 1;
  return k->v == NULL ? -1 : 0;
}

static int kset_has(const kset *k, uint64_t key)
{
  uint64_t h = key, step = (key >> 33) | 1;
  int i;

  for (i = 0; i < 4; i++, h += step)
    if ((k->v[(h & k->mask) >> 6] & (1ull << (h & 63))) == 0)
      return 0;
  return 1;
}

static int kset_add(kset *k, uint64_t key)
{
  uint64_t h = key, step = (key >> 33) | 1;
  int i;

  for (i = 0; i < 4; i++, h += step)
    k->v[(h & k->mask) >> 6] |= 1ull << (h & 63);
  return 0;
}

static uint64_t triple_key(const char *who, const char *codigo, const char *data)
{
  return mix(mix(str_hash(who), str_hash(codigo)), str_hash(data));
}

static char *S(gen *G, const char *s)
{
  char *d;

  if (s == NULL)
    return NULL;
  d = fat_strdup(s);
  if (d == NULL)
    G->oom = 1;
  return d;
}

static void set_str(gen *G, char **dst, const char *s)
{
  fat_free(*dst);
  *dst = S(G, s);
}

static void day_str(int32_t d, char buf[11]) { fat_dia_format(d, buf, 11); }

static fat_profissional *prof_copy(gen *G, int i)
{
  fat_profissional *p = fat_calloc(1, sizeof *p);

  if (p == NULL) {
    G->oom = 1;
    return NULL;
  }
  p->nome = S(G, PROFS[i].nome);
  p->conselho = S(G, PROFS[i].conselho);
  p->numero_conselho = S(G, G->prof_num[i]);
  p->uf = S(G, PROFS[i].uf);
  p->cbo = S(G, PROFS[i].cbo);
  p->especialidade = S(G, PROFS[i].especialidade);
  return p;
}

/* ------------------------------------------------------------------------ */
/* Cadastro                                                                  */

static fat_rc exec_bind(fat_store *st, fat_stmt *s, const char *what, fat_err *err)
{
  int step = fat_stmt_step(s);

  fat_stmt_reset(s);
  if (step != FAT_DONE)
    return fat_store_dberr(st, err, what);
  return FAT_OK;
}

/* Person number `who` (pool index, or npool + n for the n-th dedicated one)
** drawn from r: name, unique CPF (cpf_of), CNS, birth date, sex. */
static void make_person(const gen *G, rng *r, uint64_t who, benef *b, int female)
{
  const char *first = female ? NOMES_F[rint_(r, 0, (int)NELEM(NOMES_F) - 1)]
                             : NOMES_M[rint_(r, 0, (int)NELEM(NOMES_M) - 1)];
  const char *s1 = SOBRENOMES[rint_(r, 0, (int)NELEM(SOBRENOMES) - 1)];
  const char *s2 = SOBRENOMES[rint_(r, 0, (int)NELEM(SOBRENOMES) - 1)];
  int age = rint_(r, 0, 99) < 12 ? rint_(r, 0, 17) : rint_(r, 18, 88);
  int32_t born = fat_dia_from_ymd(G->y - age, 1, 1) - rint_(r, 1, 364);

  if (strcmp(s1, s2) == 0)
    snprintf(b->nome, sizeof b->nome, "%s %s", first, s1);
  else
    snprintf(b->nome, sizeof b->nome, "%s %s %s", first, s1, s2);
  cpf_of(who, G->pool_seed, b->cpf);
  cns_make(r, b->cns);
  day_str(born, b->nascimento);
  snprintf(b->sexo, sizeof b->sexo, "%s", female ? "F" : "M");
}

/* Beneficiary i of the pool, a pure function of (seed, competência, i): the
** pool is never held in memory, whatever its size. */
static void benef_make(const gen *G, int i, benef *b)
{
  rng r;
  int w, acc = 0, k;

  r.s = mix(G->pool_seed, (uint64_t)i + 1);
  memset(b, 0, sizeof *b);
  w = rint_(&r, 0, 99);
  make_person(G, &r, (uint64_t)i, b, rint_(&r, 0, 99) < 55);
  b->op[0] = 3;
  for (k = 0; k < 4; k++) {
    acc += OPS[k].peso;
    if (w < acc) {
      b->op[0] = k;
      break;
    }
  }
  b->op[1] = -1;
  if (rint_(&r, 0, 99) < 12)
    b->op[1] = (b->op[0] + rint_(&r, 1, 3)) % 4;
  for (k = 0; k < 2 && b->op[k] >= 0; k++) {
    b->apt[k] = rint_(&r, 0, 99) < 35;
    snprintf(b->carteira[k], sizeof b->carteira[k], "%s%08d%02d", OPS[b->op[k]].registro, i + 1,
             rint_(&r, 0, 99));
  }
}

/* Beneficiary i of the pool (the last one is kept: a guia asks several times). */
static const benef *benef_at(gen *G, int i)
{
  if (G->cur_i != i) {
    benef_make(G, i, &G->cur);
    G->cur_i = i;
  }
  return &G->cur;
}

static fat_rc cadastro(gen *G, fat_demo_resumo *res, fat_err *err)
{
  static const char sql_b[] =
    "INSERT INTO beneficiario (nome, cpf, cns, nascimento, sexo) VALUES (?1, ?2, ?3, ?4, ?5)";
  static const char sql_c[] =
    "INSERT INTO carteira (beneficiario_id, operadora_id, plano_id, numero, validade) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
  static const char sql_p[] =
    "INSERT INTO profissional (nome, cpf, conselho, numero_conselho, uf, cbo, especialidade) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  char validade[24];
  fat_stmt *s;
  int i, k;
  fat_rc rc;

  cnpj_make("408773520001", G->cnpj);
  rc = fat_cadastro_prestador(G->st, "Clínica Bem-Estar Demonstração Ltda", G->cnpj, "2077485",
                              NULL, err);
  if (rc != FAT_OK)
    return rc;
  for (i = 0; i < 4; i++) {
    rc = fat_cadastro_operadora(G->st, OPS[i].registro, OPS[i].nome, OPS[i].chave,
                                OPS[i].codigo_prestador, G->cnpj, &G->op_id[i], err);
    if (rc == FAT_OK)
      rc = fat_cadastro_plano(G->st, OPS[i].registro, "ENF", "Essencial Enfermaria",
                              "enfermaria", &G->plano_id[i][0], err);
    if (rc == FAT_OK)
      rc = fat_cadastro_plano(G->st, OPS[i].registro, "APT", "Superior Apartamento",
                              "apartamento", &G->plano_id[i][1], err);
    if (rc != FAT_OK)
      return rc;
  }
  for (i = 0; i < P_COUNT; i++) {
    char cpf[12];

    snprintf(G->prof_num[i], sizeof G->prof_num[i], "%d",
             strcmp(PROFS[i].conselho, "CRM") == 0 ? rint_(&G->r, 40000, 199999)
                                                   : rint_(&G->r, 10000, 99999));
    cpf_make(&G->r, cpf);
    rc = fat_store_prepare(G->st, sql_p, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_text(s, 1, PROFS[i].nome);
    fat_bind_text(s, 2, cpf);
    fat_bind_text(s, 3, PROFS[i].conselho);
    fat_bind_text(s, 4, G->prof_num[i]);
    fat_bind_text(s, 5, PROFS[i].uf);
    fat_bind_text(s, 6, PROFS[i].cbo);
    fat_bind_text(s, 7, PROFS[i].especialidade);
    rc = exec_bind(G->st, s, "erro ao gravar profissional", err);
    if (rc != FAT_OK)
      return rc;
  }
  res->n_profissionais = P_COUNT;
  snprintf(validade, sizeof validade, "%04d-12-31", G->y + 1);
  for (i = 0; i < G->npool; i++) {
    const benef *b = benef_at(G, i);
    int64_t bid;

    rc = fat_store_prepare(G->st, sql_b, &s, err);
    if (rc != FAT_OK)
      return rc;
    fat_bind_text(s, 1, b->nome);
    fat_bind_text(s, 2, b->cpf);
    fat_bind_text(s, 3, b->cns);
    fat_bind_text(s, 4, b->nascimento);
    fat_bind_text(s, 5, b->sexo);
    rc = exec_bind(G->st, s, "erro ao gravar beneficiário", err);
    if (rc != FAT_OK)
      return rc;
    bid = fat_store_last_id(G->st);
    for (k = 0; k < 2 && b->op[k] >= 0; k++) {
      rc = fat_store_prepare(G->st, sql_c, &s, err);
      if (rc != FAT_OK)
        return rc;
      fat_bind_int(s, 1, bid);
      fat_bind_int(s, 2, G->op_id[b->op[k]]);
      fat_bind_int(s, 3, G->plano_id[b->op[k]][b->apt[k]]);
      fat_bind_text(s, 4, b->carteira[k]);
      fat_bind_text(s, 5, validade);
      rc = exec_bind(G->st, s, "erro ao gravar carteira", err);
      if (rc != FAT_OK)
        return rc;
    }
  }
  res->n_beneficiarios = G->npool;
  return fat_store_audit(G->st, "demo.cadastro", NULL, "prestador, 4 operadoras, planos, "
                         "beneficiários e profissionais da demonstração", err);
}

/* ------------------------------------------------------------------------ */
/* Guia building                                                             */

static meta *new_meta(gen *G)
{
  if (G->ng == G->capg) {
    int nc = G->capg ? G->capg * 2 : 1024;
    meta *nv = fat_realloc(G->gs, (size_t)nc * sizeof *nv);

    if (nv == NULL) {
      G->oom = 1;
      return NULL;
    }
    G->gs = nv;
    G->capg = nc;
  }
  memset(&G->gs[G->ng], 0, sizeof G->gs[G->ng]);
  G->gs[G->ng].classe = -1;
  G->gs[G->ng].internacao_de = -1;
  return &G->gs[G->ng++];
}

/* A new guia for beneficiary bi (pool) at operator carteira slot k. */
static fat_guia *new_guia(gen *G, fat_guia_tipo t, int bi, int k, int32_t dia)
{
  fat_guia *g = fat_calloc(1, sizeof *g);
  const benef *b = benef_at(G, bi);
  int op = b->op[k];
  char buf[32], d[11];

  if (g == NULL) {
    G->oom = 1;
    return NULL;
  }
  g->itens = fat_calloc(32, sizeof *g->itens);
  if (g->itens == NULL)
    G->oom = 1;
  g->tipo = t;
  g->operadora.registro_ans = S(G, OPS[op].registro);
  g->operadora.nome = S(G, OPS[op].nome);
  g->operadora.script = S(G, OPS[op].chave);
  g->prestador.nome = S(G, "Clínica Bem-Estar Demonstração Ltda");
  g->prestador.cnpj = S(G, G->cnpj);
  g->prestador.cnes = S(G, "2077485");
  g->prestador.codigo_na_operadora = S(G, OPS[op].codigo_prestador);
  g->plano.codigo = S(G, b->apt[k] ? "APT" : "ENF");
  g->plano.nome = S(G, b->apt[k] ? "Superior Apartamento" : "Essencial Enfermaria");
  g->plano.acomodacao = S(G, b->apt[k] ? "apartamento" : "enfermaria");
  g->beneficiario.nome = S(G, b->nome);
  g->beneficiario.cpf = S(G, b->cpf);
  g->beneficiario.cns = S(G, b->cns);
  g->beneficiario.nascimento = S(G, b->nascimento);
  g->beneficiario.sexo = S(G, b->sexo);
  g->beneficiario_nome = S(G, b->nome);
  g->carteira_numero = S(G, b->carteira[k]);
  snprintf(buf, sizeof buf, "%04d-12-31", G->y + 1);
  g->carteira_validade = S(G, buf);
  g->cns = S(G, b->cns);
  snprintf(buf, sizeof buf, "%04d%02d%05d", G->y, G->m, ++G->seq);
  g->numero_prestador = S(G, buf);
  day_str(dia, d);
  g->data_inicio = S(G, d);
  g->competencia = S(G, G->comp);
  g->status = S(G, "digitada");
  g->origem = S(G, "demo");
  g->indicacao_acidente = S(G, "9");
  g->assinatura_beneficiario = 1;
  g->valor_total = 0;
  return g;
}

static fat_item *add_item(gen *G, fat_guia *g, const cat *c, int64_t qtd_e4, int32_t dia,
                          int prof, const char *grau, const char *via)
{
  fat_item *it;
  char d[11];

  if (g->n_itens >= 32) {
    G->oom = 1;
    return NULL;
  }
  it = &g->itens[g->n_itens++];
  memset(it, 0, sizeof *it);
  it->sequencial = (int)g->n_itens;
  it->tipo = S(G, c->tipo);
  it->codigo_tabela = S(G, c->tabela);
  it->codigo = S(G, c->codigo);
  it->descricao = S(G, c->descricao);
  it->quantidade_e4 = qtd_e4;
  it->valor_unitario = FAT_ABSENT;
  it->valor_total = FAT_ABSENT;
  it->fator_e2 = 100;
  day_str(dia, d);
  it->data = S(G, d);
  if (strcmp(c->tabela, "22") != 0)
    it->unidade_medida = S(G, "036");
  if (grau != NULL)
    it->grau_participacao = S(G, grau);
  if (via != NULL)
    it->via_acesso = S(G, via);
  if (prof >= 0)
    it->profissional = prof_copy(G, prof);
  return it;
}

static void set_senha(gen *G, fat_guia *g, int32_t inicio)
{
  char buf[16], d[11];
  int32_t aut = inicio - rint_(&G->r, 0, 7);

  snprintf(buf, sizeof buf, "%09d", rint_(&G->r, 1, 999999999));
  set_str(G, &g->senha, buf);
  day_str(aut, d);
  set_str(G, &g->data_autorizacao, d);
  set_str(G, &g->data_solicitacao, d);
  day_str(aut + 30, d);
  set_str(G, &g->validade_senha, d);
}

/* Random weekday (Monday..Saturday) of the month, or any day if domingo_ok. */
static int32_t pick_day(gen *G, int domingo_ok, int last_margin)
{
  for (;;) {
    int32_t d = G->dia0 + rint_(&G->r, 0, G->ndays - 1 - last_margin);

    if (domingo_ok || fat_dia_semana(d) != 0)
      return d;
  }
}

static const char *hora_consulta(gen *G, char buf[9])
{
  snprintf(buf, 9, "%02d:%02d:00", rint_(&G->r, 7, 20), rint_(&G->r, 0, 3) * 15);
  return buf;
}

/* Registers the procedure triples of g (benef + code + date); returns 1 when
** any already existed (the caller picks another day/person). */
static int triples_clash(gen *G, const fat_guia *g)
{
  size_t i;

  for (i = 0; i < g->n_itens; i++)
    if (strcmp(g->itens[i].codigo_tabela, "22") == 0 &&
        kset_has(&G->triples, triple_key(g->beneficiario.cpf, g->itens[i].codigo,
                                          g->itens[i].data)))
      return 1;
  return 0;
}

static void triples_add(gen *G, const fat_guia *g)
{
  size_t i;

  for (i = 0; i < g->n_itens; i++)
    if (g->itens[i].codigo_tabela != NULL && strcmp(g->itens[i].codigo_tabela, "22") == 0 &&
        kset_add(&G->triples, triple_key(g->beneficiario.cpf, g->itens[i].codigo,
                                         g->itens[i].data)) != 0)
      G->oom = 1;
}

static void pick_benef(gen *G, int *bi, int *k)
{
  *bi = rint_(&G->r, 0, G->npool - 1);
  *k = (benef_at(G, *bi)->op[1] >= 0 && rint_(&G->r, 0, 1)) ? 1 : 0;
}

static int is_female(gen *G, int bi) { return benef_at(G, bi)->sexo[0] == 'F'; }

static int age_at(gen *G, int bi)
{
  const char *n = benef_at(G, bi)->nascimento;

  return G->y - (int)((n[0] - '0') * 1000 + (n[1] - '0') * 100 + (n[2] - '0') * 10 + (n[3] - '0'));
}

static fat_guia *make_consulta(gen *G, int *obi)
{
  int tries;

  for (tries = 0; tries < 50; tries++) {
    int bi, k, exec, ps = rint_(&G->r, 0, 99) < 10;
    int32_t dia = pick_day(G, ps, 0);
    fat_guia *g;
    char h[9];
    uint64_t pk;

    pick_benef(G, &bi, &k);
    exec = age_at(G, bi) < 14 ? P_PEDIATRA
                              : CONSULTANTES[rint_(&G->r, 0, (int)NELEM(CONSULTANTES) - 1)];
    if (exec == P_GINECO && !is_female(G, bi))
      exec = P_CLIN1;
    if (exec == P_URO && is_female(G, bi))
      exec = P_CLIN2;
    pk = mix(str_hash(benef_at(G, bi)->cpf), (uint64_t)exec + 1);
    if (kset_has(&G->pairs, pk))
      continue;
    g = new_guia(G, FAT_GUIA_CONSULTA, bi, k, dia);
    if (g == NULL)
      return NULL;
    g->executante = prof_copy(G, exec);
    g->tipo_consulta = S(G, "1");
    g->carater_atendimento = S(G, ps ? "2" : "1");
    g->regime_atendimento = S(G, ps ? "02" : "01");
    g->tipo_atendimento = S(G, "04");
    g->cid = S(G, CIDS_CLIN[rint_(&G->r, 0, (int)NELEM(CIDS_CLIN) - 1)]);
    g->hora_inicio = S(G, hora_consulta(G, h));
    add_item(G, g, ps ? &CONSULTA_PS : &CONSULTA, 10000, dia, -1, NULL, NULL);
    if (triples_clash(G, g)) {
      fat_guia_free(g);
      continue;
    }
    if (kset_add(&G->pairs, pk) != 0)
      G->oom = 1;
    triples_add(G, g);
    *obi = bi;
    return g;
  }
  return NULL;
}

static int pick_distinct(gen *G, int n, int *used, int count)
{
  for (;;) {
    int i = rint_(&G->r, 0, n - 1);

    if (!used[i]) {
      used[i] = 1;
      (void)count;
      return i;
    }
  }
}

static fat_guia *make_sadt(gen *G, int *obi)
{
  int tries;

  for (tries = 0; tries < 50; tries++) {
    int bi, k, kind = rint_(&G->r, 0, 99), exec, sol, n, i;
    int32_t dia = pick_day(G, 0, 0);
    int used[16];
    fat_guia *g;
    char h[9];

    pick_benef(G, &bi, &k);
    g = new_guia(G, FAT_GUIA_SADT, bi, k, dia);
    if (g == NULL)
      return NULL;
    sol = CONSULTANTES[rint_(&G->r, 0, (int)NELEM(CONSULTANTES) - 1)];
    g->carater_atendimento = S(G, "1");
    g->regime_atendimento = S(G, "01");
    g->tipo_atendimento = S(G, "23"); /* exame (dm_tipoAtendimento) */
    g->cid = S(G, CIDS_CLIN[rint_(&G->r, 0, (int)NELEM(CIDS_CLIN) - 1)]);
    g->pedido_medico = 1;
    g->laudo = 1;
    g->hora_inicio = S(G, hora_consulta(G, h));
    g->indicacao_clinica = S(G, "investigação diagnóstica");
    memset(used, 0, sizeof used);
    if (kind < 50) { /* laboratory panel */
      exec = P_PATOL;
      n = rint_(&G->r, 2, (int)NELEM(LAB));
      for (i = 0; i < n; i++)
        add_item(G, g, &LAB[pick_distinct(G, (int)NELEM(LAB), used, n)], 10000, dia, -1, NULL,
                 NULL);
      if (!is_female(G, bi) && age_at(G, bi) >= 40 && rint_(&G->r, 0, 2) == 0)
        add_item(G, g, &PSA, 10000, dia, -1, NULL, NULL);
      add_item(G, g, &MAT[1], 10000 * rint_(&G->r, 1, 2), dia, -1, NULL, NULL);
      add_item(G, g, &MAT[6], 10000 * rint_(&G->r, 1, 3), dia, -1, NULL, NULL);
    } else if (kind < 75) { /* imaging */
      exec = P_RADIO;
      n = rint_(&G->r, 1, 2);
      for (i = 0; i < n; i++)
        add_item(G, g, &IMG[pick_distinct(G, (int)NELEM(IMG), used, n)], 10000, dia, -1, NULL,
                 NULL);
      if (is_female(G, bi) && age_at(G, bi) >= 40 && rint_(&G->r, 0, 2) == 0)
        add_item(G, g, &MAMO, 10000, dia, -1, NULL, NULL);
    } else if (kind < 82 && is_female(G, bi) && age_at(G, bi) >= 18) { /* gynecology */
      exec = P_GINECO;
      sol = P_GINECO;
      set_str(G, &g->cid, "Z014");
      add_item(G, g, &COLPO, 10000, dia, -1, NULL, NULL);
      add_item(G, g, &MAT[0], 10000, dia, -1, NULL, NULL);
    } else if (kind < 88) { /* cardiology */
      exec = P_CARDIO;
      add_item(G, g, &ECG, 10000, dia, -1, NULL, NULL);
      add_item(G, g, &MAT[7], 10000 * rint_(&G->r, 3, 5), dia, -1, NULL, NULL);
    } else if (kind < 94) { /* endoscopy */
      exec = P_GASTRO;
      set_str(G, &g->cid, "K297");
      add_item(G, g, &ENDO, 10000, dia, -1, NULL, NULL);
      add_item(G, g, &MED[4], 10000, dia, -1, NULL, NULL);
      add_item(G, g, &MED[3], 10000, dia, -1, NULL, NULL);
      add_item(G, g, &MAT[0], 10000 * rint_(&G->r, 1, 3), dia, -1, NULL, NULL);
      add_item(G, g, &MAT[1], 10000 * rint_(&G->r, 1, 2), dia, -1, NULL, NULL);
    } else { /* small skin procedure */
      exec = P_DERMATO;
      set_str(G, &g->cid, "D229");
      set_str(G, &g->tipo_atendimento, "02"); /* pequena cirurgia */
      add_item(G, g, rint_(&G->r, 0, 1) ? &BIOPSIA : &EXERESE, 10000, dia, -1, NULL, "1");
      add_item(G, g, &MED[3], 10000, dia, -1, NULL, NULL);
      add_item(G, g, &MAT[4], 10000 * rint_(&G->r, 1, 2), dia, -1, NULL, NULL);
      add_item(G, g, &MAT[0], 10000 * rint_(&G->r, 1, 3), dia, -1, NULL, NULL);
      add_item(G, g, &MAT[5], 10000 * rint_(&G->r, 1, 2), dia, -1, NULL, NULL);
    }
    g->solicitante = prof_copy(G, sol);
    g->executante = prof_copy(G, exec);
    set_senha(G, g, dia);
    if (triples_clash(G, g)) {
      fat_guia_free(g);
      continue;
    }
    triples_add(G, g);
    *obi = bi;
    return g;
  }
  return NULL;
}

/* A surgical or clinical internação; *hon gets the honorários guia of a
** surgical one (NULL for clinical). */
static fat_guia *make_internacao(gen *G, int *obi, fat_guia **hon)
{
  int tries;

  *hon = NULL;
  for (tries = 0; tries < 50; tries++) {
    int bi, k, days = rint_(&G->r, 1, 6), cir = rint_(&G->r, 0, 99) < 60, i, n, att;
    int32_t ini = pick_day(G, 1, days), fim = ini + days;
    const surg *sg = &SURG[rint_(&G->r, 0, (int)NELEM(SURG) - 1)];
    int used[16];
    fat_guia *g, *h = NULL;
    char d[11];

    pick_benef(G, &bi, &k);
    g = new_guia(G, FAT_GUIA_INTERNACAO, bi, k, ini);
    if (g == NULL)
      return NULL;
    att = cir ? sg->esp + rint_(&G->r, 0, sg->esp == P_CIRG1 ? 1 : 0)
              : (rint_(&G->r, 0, 1) ? P_CLIN1 : P_CLIN2);
    day_str(fim, d);
    g->data_fim = S(G, d);
    {
      /* número da guia de solicitação de internação (TISS
      ** numeroGuiaSolicitacaoInternacao), shared with its honorários */
      char sol[24];

      snprintf(sol, sizeof sol, "9%04d%02d%05d", G->y, G->m, G->seq);
      g->numero_principal = S(G, sol);
    }
    g->hora_inicio = S(G, "08:00:00");
    g->hora_fim = S(G, "10:00:00");
    g->carater_atendimento = S(G, (!cir && rint_(&G->r, 0, 99) < 40) ? "2" : "1");
    g->tipo_internacao = S(G, cir ? "2" : "1");
    g->regime_internacao = S(G, "1");
    g->regime_atendimento = S(G, "03");
    g->motivo_encerramento = S(G, "12");
    g->cid = S(G, cir ? sg->cid : "J189");
    g->solicitante = prof_copy(G, att);
    g->executante = prof_copy(G, att);
    g->indicacao_clinica = S(G, cir ? "tratamento cirúrgico eletivo" : "tratamento clínico");
    set_senha(G, g, ini);
    add_item(G, g, benef_at(G, bi)->apt[k] ? &DIARIA_APT : &DIARIA_ENF, 10000 * days, ini, -1, NULL,
             NULL);
    if (cir)
      add_item(G, g, &TAXA_SALA, 10000, ini, -1, NULL, NULL);
    if (rint_(&G->r, 0, 99) < 30)
      add_item(G, g, &OXIGENIO, 10000 * rint_(&G->r, 2, 12), ini, -1, NULL, NULL);
    memset(used, 0, sizeof used);
    n = rint_(&G->r, 3, 8);
    for (i = 0; i < n; i++)
      add_item(G, g, &MAT[pick_distinct(G, (int)NELEM(MAT), used, n)],
               10000 * rint_(&G->r, 1, 20), ini + rint_(&G->r, 0, days), -1, NULL, NULL);
    memset(used, 0, sizeof used);
    n = rint_(&G->r, 3, 8);
    for (i = 0; i < n; i++)
      add_item(G, g, &MED[pick_distinct(G, (int)NELEM(MED), used, n)],
               10000 * rint_(&G->r, 1, 12), ini + rint_(&G->r, 0, days), -1, NULL, NULL);
    memset(used, 0, sizeof used);
    n = rint_(&G->r, 0, 5);
    for (i = 0; i < n; i++)
      add_item(G, g, &LAB[pick_distinct(G, (int)NELEM(LAB), used, n)], 10000,
               ini + rint_(&G->r, 0, days), -1, NULL, NULL);
    if (triples_clash(G, g)) {
      fat_guia_free(g);
      continue;
    }
    if (cir) {
      int aux = (att == P_CIRG1) ? P_CIRG2 : (att == P_CIRG2 ? P_CIRG1 : P_CIRG1);
      int an = rint_(&G->r, 0, 1) ? P_ANEST1 : P_ANEST2;
      int two = rint_(&G->r, 0, 99) < 15;

      h = new_guia(G, FAT_GUIA_HONORARIOS, bi, k, ini);
      if (h == NULL) {
        fat_guia_free(g);
        return NULL;
      }
      set_str(G, &h->data_fim, g->data_fim);
      set_str(G, &h->numero_principal, g->numero_principal);
      set_str(G, &h->senha, g->senha);
      set_str(G, &h->data_autorizacao, g->data_autorizacao);
      set_str(G, &h->validade_senha, g->validade_senha);
      set_str(G, &h->data_solicitacao, g->data_solicitacao);
      set_str(G, &h->cid, g->cid);
      set_str(G, &h->carater_atendimento, g->carater_atendimento);
      set_str(G, &h->hora_inicio, "08:00:00");
      h->executante = prof_copy(G, att);
      add_item(G, h, &sg->c, 10000, ini, att, "00", two ? "2" : "1");
      if (sg->aux)
        add_item(G, h, &sg->c, 10000, ini, aux, "01", two ? "2" : "1");
      if (sg->anest)
        add_item(G, h, &sg->c, 10000, ini, an, "06", two ? "2" : "1");
      if (two)
        add_item(G, h, &EXERESE, 10000, ini, att, "00", "2");
      if (days >= 2)
        add_item(G, h, &VISITA, 10000 * (days - 1 > 5 ? 5 : days - 1), ini + 1, att, "00", NULL);
      if (triples_clash(G, h)) {
        fat_guia_free(g);
        fat_guia_free(h);
        continue;
      }
      triples_add(G, h);
    }
    triples_add(G, g);
    *hon = h;
    *obi = bi;
    return g;
  }
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Defects                                                                   */

static int eligible(const gen *G, const meta *m, int c)
{
  const fat_guia *g = m->g;
  int sadt = g->tipo == FAT_GUIA_SADT, i;

  if (m->classe >= 0)
    return 0;
  switch (c) {
  case D_SENHA_AUSENTE:
  case D_SENHA_VENCIDA:
  case D_DATA_ANTES_AUTORIZACAO:
  case D_QUANTIDADE_INVALIDA: return sadt;
  case D_CID_AUSENTE: /* serena does not demand the CID on SP/SADT */
    return sadt && strcmp(OPS[m->op].chave, "serena") != 0;
  case D_ASSINATURA_AUSENTE:
    return strcmp(OPS[m->op].chave, "serena") == 0 && g->tipo != FAT_GUIA_HONORARIOS &&
           g->tipo != FAT_GUIA_INTERNACAO;
  case D_PEDIDO_MEDICO_AUSENTE:
    return sadt && (strcmp(OPS[m->op].chave, "vitalis") == 0 ||
                    strcmp(OPS[m->op].chave, "serena") == 0);
  case D_PROFISSIONAL_INCOMPLETO:
  case D_PRAZO_EXCEDIDO: return sadt || g->tipo == FAT_GUIA_CONSULTA;
  case D_CODIGO_INVALIDO:
    if (!sadt)
      return 0;
    for (i = 0; i < (int)g->n_itens; i++)
      if (strcmp(g->itens[i].codigo_tabela, "22") == 0)
        return 1;
    return 0;
  case D_ITEM_FORA_PERIODO: return g->tipo == FAT_GUIA_INTERNACAO;
  case D_SEXO_INCOMPATIVEL: return sadt && m->male && g->n_itens < 30;
  case D_CARTEIRA_VENCIDA:
  case D_CPF_INVALIDO:
  case D_CARTEIRA_AUSENTE:
  case D_CNS_INVALIDO:
  case D_PRECO_ACIMA_CONTRATO:
  case D_TOTAL_DIVERGENTE:
    /* keep honorários attached to their internação's person */
    return g->tipo != FAT_GUIA_HONORARIOS && g->tipo != FAT_GUIA_INTERNACAO
             ? 1
             : (c == D_PRECO_ACIMA_CONTRATO || c == D_TOTAL_DIVERGENTE);
  default: return 0;
  }
  (void)G;
}

int fat_demo_beneficiarios(int n_guias)
{
  return n_guias / 4 > 2000 ? n_guias / 4 : 2000;
}

static int count_target(int n)
{
  int k = (n * DEMO_RATE_BP + 5000) / 10000;

  return k < 1 ? 1 : k;
}

/* Share of k due once `done` of n guias are out: round(k * done / n). */
static int due(int k, int64_t done, int64_t n)
{
  return (int)(((int64_t)k * done + n / 2) / n);
}

/* Give the guias of the chunk (G->gs) the defects the classes still owe: a
** class is due k * done / n_base of its k guias once done base guias are
** generated (what a chunk could not place is owed by the next). *got[c]
** counts what each class has. */
static void assign_defects(gen *G, int k, int done, int n_base, int got[FAT_DEMO_N_CLASSES])
{
  /* the most constrained classes first */
  static const int order[] = {D_ITEM_FORA_PERIODO, D_SEXO_INCOMPATIVEL, D_PEDIDO_MEDICO_AUSENTE,
                              D_ASSINATURA_AUSENTE, D_CODIGO_INVALIDO, D_SENHA_AUSENTE,
                              D_SENHA_VENCIDA, D_DATA_ANTES_AUTORIZACAO, D_CID_AUSENTE,
                              D_QUANTIDADE_INVALIDA, D_PROFISSIONAL_INCOMPLETO, D_PRAZO_EXCEDIDO,
                              D_CARTEIRA_VENCIDA, D_CPF_INVALIDO, D_CARTEIRA_AUSENTE,
                              D_CNS_INVALIDO, D_PRECO_ACIMA_CONTRATO, D_TOTAL_DIVERGENTE};
  size_t oi;

  for (oi = 0; oi < NELEM(order); oi++) {
    int c = order[oi], goal = due(k, done, n_base), tries = 0;

    while (got[c] < goal && tries < G->ng * 20) {
      meta *m = &G->gs[rint_(&G->r, 0, G->ng - 1)];

      tries++;
      if (!eligible(G, m, c))
        continue;
      m->classe = c;
      got[c]++;
    }
  }
}

/* A dedicated beneficiary for a person-level defect (invalid CPF, expired
** carteira): nobody else's guia points to it. */
static void dedicated_person(gen *G, meta *m, int c, char *detail, size_t dlen)
{
  fat_guia *g = m->g;
  benef b;
  char cart[24], d[11];
  int32_t ini;

  memset(&b, 0, sizeof b);
  make_person(G, &G->r, (uint64_t)G->npool + (uint64_t)G->extra_benef, &b, !m->male);
  G->extra_benef++;
  snprintf(cart, sizeof cart, "%s9%07d00", OPS[m->op].registro, G->extra_benef);
  if (c == D_CPF_INVALIDO) {
    char good[12];

    snprintf(good, sizeof good, "%s", b.cpf);
    spoil_last(b.cpf);
    snprintf(detail, dlen, "CPF do beneficiário %s com dígito verificador errado (correto: %s)",
             b.cpf, good);
  }
  set_str(G, &g->beneficiario.nome, b.nome);
  set_str(G, &g->beneficiario.cpf, b.cpf);
  set_str(G, &g->beneficiario.cns, b.cns);
  set_str(G, &g->beneficiario.nascimento, b.nascimento);
  set_str(G, &g->beneficiario.sexo, b.sexo);
  set_str(G, &g->beneficiario_nome, b.nome);
  set_str(G, &g->cns, b.cns);
  set_str(G, &g->carteira_numero, cart);
  if (c == D_CARTEIRA_VENCIDA) {
    fat_dia_parse(g->data_inicio, &ini);
    day_str(ini - rint_(&G->r, 5, 60), d);
    set_str(G, &g->carteira_validade, d);
    snprintf(detail, dlen, "carteira %s vencida em %s, atendimento em %s", cart, d,
             g->data_inicio);
  }
  m->benef = -1;
}

static void shift_dates(gen *G, fat_guia *g, int32_t delta)
{
  char **f[] = {&g->data_inicio, &g->data_fim, &g->data_autorizacao, &g->validade_senha,
                &g->data_solicitacao};
  size_t i;
  int32_t d;
  char buf[11];

  for (i = 0; i < NELEM(f); i++)
    if (*f[i] != NULL && fat_dia_parse(*f[i], &d) == 0) {
      day_str(d + delta, buf);
      set_str(G, f[i], buf);
    }
  for (i = 0; i < g->n_itens; i++)
    if (g->itens[i].data != NULL && fat_dia_parse(g->itens[i].data, &d) == 0) {
      day_str(d + delta, buf);
      set_str(G, &g->itens[i].data, buf);
    }
}

/* Defects that change what is priced or identity/dates: before pricing. */
static void defect_before(gen *G, meta *m, char *detail, size_t dlen)
{
  fat_guia *g = m->g;
  int32_t ini, d;
  char buf[11];

  fat_dia_parse(g->data_inicio, &ini);
  switch (m->classe) {
  case D_CARTEIRA_AUSENTE:
    snprintf(detail, dlen, "número da carteira %s omitido", g->carteira_numero);
    set_str(G, &g->carteira_numero, NULL);
    break;
  case D_CARTEIRA_VENCIDA:
  case D_CPF_INVALIDO: dedicated_person(G, m, m->classe, detail, dlen); break;
  case D_SENHA_AUSENTE:
    snprintf(detail, dlen, "senha %s omitida", g->senha);
    set_str(G, &g->senha, NULL);
    break;
  case D_SENHA_VENCIDA:
    d = ini - rint_(&G->r, 1, 10);
    day_str(d, buf);
    set_str(G, &g->validade_senha, buf);
    day_str(d - 30, buf);
    set_str(G, &g->data_autorizacao, buf);
    set_str(G, &g->data_solicitacao, buf);
    snprintf(detail, dlen, "senha válida até %s, atendimento em %s", g->validade_senha,
             g->data_inicio);
    break;
  case D_DATA_ANTES_AUTORIZACAO:
    d = ini + rint_(&G->r, 1, 5);
    day_str(d, buf);
    set_str(G, &g->data_autorizacao, buf);
    day_str(d + 30, buf);
    set_str(G, &g->validade_senha, buf);
    snprintf(detail, dlen, "atendimento em %s antes da autorização em %s", g->data_inicio,
             g->data_autorizacao);
    break;
  case D_CID_AUSENTE:
    snprintf(detail, dlen, "CID %s omitido", g->cid);
    set_str(G, &g->cid, NULL);
    break;
  case D_ASSINATURA_AUSENTE:
    g->assinatura_beneficiario = 0;
    snprintf(detail, dlen, "sem assinatura do beneficiário");
    break;
  case D_PEDIDO_MEDICO_AUSENTE:
    g->pedido_medico = 0;
    snprintf(detail, dlen, "SP/SADT sem pedido médico");
    break;
  case D_CNS_INVALIDO:
    snprintf(buf, sizeof buf, "%.10s", g->cns);
    spoil_last(g->cns);
    snprintf(detail, dlen, "CNS %s com dígito verificador errado", g->cns);
    break;
  case D_PROFISSIONAL_INCOMPLETO:
    snprintf(detail, dlen, "executante %s sem número do conselho", g->executante->nome);
    set_str(G, &g->executante->numero_conselho, NULL);
    break;
  case D_ITEM_FORA_PERIODO: {
    size_t i;

    for (i = 0; i < g->n_itens; i++)
      if (strcmp(g->itens[i].tipo, "material") == 0 || strcmp(g->itens[i].tipo, "medicamento") == 0)
        break;
    if (i == g->n_itens)
      i = g->n_itens - 1;
    fat_dia_parse(g->data_fim, &d);
    day_str(d + rint_(&G->r, 1, 3), buf);
    set_str(G, &g->itens[i].data, buf);
    snprintf(detail, dlen, "item %d (%s) em %s, depois da alta em %s", g->itens[i].sequencial,
             g->itens[i].codigo, buf, g->data_fim);
    break;
  }
  case D_PRAZO_EXCEDIDO: {
    int32_t delta = OPS[m->op].prazo_dias + rint_(&G->r, 15, 45);

    shift_dates(G, g, -delta);
    snprintf(detail, dlen, "atendimento em %s, fora do prazo de apresentação de %d dias",
             g->data_inicio, OPS[m->op].prazo_dias);
    break;
  }
  case D_SEXO_INCOMPATIVEL:
    add_item(G, g, &COLPO, 10000, ini, -1, NULL, NULL);
    snprintf(detail, dlen, "colpocitologia (40901122) para beneficiário do sexo masculino");
    break;
  default: break;
  }
}

static int64_t item_total(int64_t unit, int64_t q_e4, int64_t fator_e2)
{
  int64_t num = unit * q_e4 * fator_e2;

  return (num + 500000) / 1000000;
}

/* Defects on the billed values and codes: after pricing. */
static void defect_after(gen *G, meta *m, char *detail, size_t dlen)
{
  fat_guia *g = m->g;
  fat_item *it = &g->itens[rint_(&G->r, 0, (int)g->n_itens - 1)];
  char a[32], b[32];

  switch (m->classe) {
  case D_PRECO_ACIMA_CONTRATO: {
    int bp = rint_(&G->r, 800, 2500);
    int64_t old = it->valor_total;

    it->valor_unitario = (it->valor_unitario * (10000 + bp) + 5000) / 10000;
    it->valor_total = item_total(it->valor_unitario, it->quantidade_e4, it->fator_e2);
    fat_money_format_br(old, a, sizeof a);
    fat_money_format_br(it->valor_total, b, sizeof b);
    snprintf(detail, dlen, "item %d (%s) cobrado %d,%02d%% acima: %s em vez de %s",
             it->sequencial, it->codigo, bp / 100, bp % 100, b, a);
    break;
  }
  case D_CODIGO_INVALIDO: {
    size_t i;
    char old[24];

    for (i = 0; i < g->n_itens; i++)
      if (strcmp(g->itens[i].codigo_tabela, "22") == 0)
        break;
    it = &g->itens[i];
    snprintf(old, sizeof old, "%s", it->codigo);
    it->codigo[strlen(it->codigo) - 1] = '\0';
    snprintf(detail, dlen, "item %d: código %s com 7 dígitos (era %s)", it->sequencial,
             it->codigo, old);
    break;
  }
  case D_QUANTIDADE_INVALIDA:
    it->quantidade_e4 = 0;
    it->valor_total = 0;
    snprintf(detail, dlen, "item %d (%s) com quantidade 0", it->sequencial, it->codigo);
    break;
  default: break;
  }
}

static fat_rc record_defect(gen *G, int64_t guia_id, int c, const char *detail, fat_err *err)
{
  static const char sql[] =
    "INSERT INTO demo_defeito (guia_id, classe, detalhe) VALUES (?1, ?2, ?3)";
  fat_stmt *s;
  fat_rc rc = fat_store_prepare(G->st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  fat_bind_int(s, 1, guia_id);
  fat_bind_text(s, 2, classes[c]);
  fat_bind_text(s, 3, detail);
  return exec_bind(G->st, s, "erro ao gravar demo_defeito", err);
}

/* The id of g's operadora when it is one of the four of the cadastro, else 0
** (fat_guia_saver_save then looks it up by registro ANS, as fat_guia_save). */
static int64_t op_id_of(const gen *G, const fat_guia *g)
{
  int i;

  for (i = 0; i < 4 && g->operadora.registro_ans != NULL; i++)
    if (strcmp(OPS[i].registro, g->operadora.registro_ans) == 0)
      return G->op_id[i];
  return 0;
}

/* Price (fill), apply post-pricing defect, total, save, record. */
static fat_rc finish_guia(gen *G, meta *m, const char *pre_detail, fat_demo_resumo *res,
                          fat_err *err)
{
  fat_guia *g = m->g;
  fat_price_report rep;
  char detail[256];
  size_t i;
  int64_t sum = 0;
  fat_rc rc;

  snprintf(detail, sizeof detail, "%s", pre_detail != NULL ? pre_detail : "");
  fat_price_report_init(&rep);
  rc = fat_price_guia(G->p, g, 1, &rep, err);
  if (rc == FAT_OK && rep.n_unpriced > 0)
    rc = fat_err_set(err, FAT_ESTATE,
                     "demonstração: item %s da guia %s (%s) sem preço: %s (tabelas de "
                     "rules/tabelas/demo e contratos de rules/operators fora de sincronia?)",
                     rep.unpriced[0].codigo, g->numero_prestador, g->operadora.script,
                     rep.unpriced[0].motivo);
  fat_price_report_fini(&rep);
  if (rc != FAT_OK)
    return rc;
  if (m->classe == D_PRECO_ACIMA_CONTRATO || m->classe == D_CODIGO_INVALIDO ||
      m->classe == D_QUANTIDADE_INVALIDA)
    defect_after(G, m, detail, sizeof detail);
  for (i = 0; i < g->n_itens; i++)
    sum += g->itens[i].valor_total;
  g->valor_total = sum;
  if (m->classe == D_TOTAL_DIVERGENTE) {
    int64_t delta = rint_(&G->r, 500, 5000) * (rint_(&G->r, 0, 1) ? 1 : -1);
    char a[32], b[32];

    if (sum + delta <= 0)
      delta = -delta;
    g->valor_total = sum + delta;
    fat_money_format_br(g->valor_total, a, sizeof a);
    fat_money_format_br(sum, b, sizeof b);
    snprintf(detail, sizeof detail, "valor total %s, soma dos itens %s", a, b);
  }
  if (G->oom)
    return fat_err_oom(err);
  rc = fat_guia_saver_save(G->sv, G->st, g, op_id_of(G, g), G->prest_id, err);
  if (rc != FAT_OK) {
    fat_err_prefix(err, "guia %s: ", g->numero_prestador);
    return rc;
  }
  if (m->classe >= 0) {
    rc = record_defect(G, g->id, m->classe, detail, err);
    if (rc != FAT_OK)
      return rc;
    res->defeitos[m->classe]++;
    res->n_com_defeito++;
  }
  res->n_guias++;
  res->por_tipo[g->tipo]++;
  res->n_itens += (int)g->n_itens;
  res->valor_total += g->valor_total;
  return FAT_OK;
}

/* Deep copy through the JSON form (the interchange shape of fat_model). */
static fat_rc copy_guia(const fat_guia *src, fat_guia **out, fat_err *err)
{
  cJSON *j = fat_guia_to_json(src);
  fat_rc rc;

  if (j == NULL)
    return fat_err_oom(err);
  rc = fat_guia_from_json(j, out, err);
  cJSON_Delete(j);
  if (rc == FAT_OK)
    (*out)->id = 0;
  return rc;
}

/* DUPLICIDADE and CONSULTA_RETORNO: extra guias made from clean ones of the
** chunk (G->ng base guias) until *got reaches goal. */
static fat_rc extra_guias(gen *G, int c, int goal, int *got, fat_demo_resumo *res, fat_err *err)
{
  int tries = 0, nbase = G->ng;

  while (*got < goal && tries < nbase * 20) {
    meta *src = &G->gs[rint_(&G->r, 0, nbase - 1)];
    fat_guia *g = NULL;
    char detail[256], buf[32];
    int32_t d;
    fat_rc rc;
    size_t i;

    tries++;
    if (src->classe >= 0 || src->g == NULL || src->benef < 0)
      continue;
    if (c == D_DUPLICIDADE && src->g->tipo != FAT_GUIA_SADT)
      continue;
    if (c == D_CONSULTA_RETORNO) {
      if (src->g->tipo != FAT_GUIA_CONSULTA || fat_dia_parse(src->g->data_inicio, &d) != 0 ||
          d - G->dia0 > G->ndays - 12)
        continue;
    }
    rc = copy_guia(src->g, &g, err);
    if (rc != FAT_OK)
      return rc;
    snprintf(buf, sizeof buf, "%04d%02d%05d", G->y, G->m, ++G->seq);
    set_str(G, &g->numero_prestador, buf);
    /* make sure what pricing and saving need survived the JSON round trip */
    set_str(G, &g->operadora.script, src->g->operadora.script);
    set_str(G, &g->operadora.registro_ans, src->g->operadora.registro_ans);
    set_str(G, &g->plano.acomodacao, src->g->plano.acomodacao);
    set_str(G, &g->plano.codigo, src->g->plano.codigo);
    set_str(G, &g->prestador.cnpj, src->g->prestador.cnpj);
    if (c == D_DUPLICIDADE) {
      snprintf(detail, sizeof detail,
               "cópia da guia %s (id %lld): mesmo beneficiário, procedimento %s e data %s",
               src->g->numero_prestador, (long long)src->g->id, g->itens[0].codigo,
               g->data_inicio);
    } else {
      char dd[11];
      int gap = rint_(&G->r, 3, 10);

      day_str(d + gap, dd);
      set_str(G, &g->data_inicio, dd);
      for (i = 0; i < g->n_itens; i++) {
        set_str(G, &g->itens[i].data, dd);
        g->itens[i].valor_unitario = FAT_ABSENT;
        g->itens[i].valor_total = FAT_ABSENT;
      }
      set_str(G, &g->tipo_consulta, "1");
      if (triples_clash(G, g)) {
        fat_guia_free(g);
        continue;
      }
      triples_add(G, g);
      snprintf(detail, sizeof detail,
               "consulta nova %d dias depois da guia %s (id %lld), mesmo beneficiário e "
               "executante",
               gap, src->g->numero_prestador, (long long)src->g->id);
    }
    {
      meta x;

      memset(&x, 0, sizeof x);
      x.g = g;
      x.op = src->op;
      x.benef = src->benef;
      x.male = src->male;
      x.classe = c;
      x.internacao_de = -1;
      rc = finish_guia(G, &x, detail, res, err);
      fat_guia_free(g);
      if (rc != FAT_OK)
        return rc;
    }
    (*got)++;
  }
  return FAT_OK;
}

/* ------------------------------------------------------------------------ */
/* Entry points                                                              */

fat_rc fat_demo_tabelas(fat_store *st, const char *regras_dir, long *linhas, fat_err *err)
{
  static const struct {
    const char *file;
    fat_tabela_tipo t;
    const char *edicao;
    int op;
  } files[] = {{"tuss.csv", FAT_TAB_TUSS, NULL, -1},
               {"portes.csv", FAT_TAB_PORTES, "demo", -1},
               {"cbhpm.csv", FAT_TAB_CBHPM, "demo", -1},
               {"simpro.csv", FAT_TAB_SIMPRO, NULL, -1},
               {"brasindice.csv", FAT_TAB_BRASINDICE, NULL, -1},
               {"negociada_aurora.csv", FAT_TAB_NEGOCIADA, NULL, 0},
               {"negociada_vitalis.csv", FAT_TAB_NEGOCIADA, NULL, 1},
               {"negociada_horizonte.csv", FAT_TAB_NEGOCIADA, NULL, 2},
               {"negociada_serena.csv", FAT_TAB_NEGOCIADA, NULL, 3}};
  char path[4096];
  size_t i;
  fat_rc rc;

  if (linhas != NULL)
    *linhas = 0;
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  for (i = 0; i < NELEM(files); i++) {
    fat_tabela_opcoes op = {NULL, files[i].edicao,
                            files[i].op >= 0 ? OPS[files[i].op].registro : NULL};
    fat_tabela_resultado r;

    snprintf(path, sizeof path, "%s/tabelas/demo/%s", regras_dir, files[i].file);
    rc = fat_tabelas_importar(st, files[i].t, path, &op, &r, err);
    if (rc != FAT_OK) {
      fat_store_rollback(st);
      return rc;
    }
    if (linhas != NULL)
      *linhas += r.linhas;
  }
  return fat_store_commit(st, err);
}

static fat_rc empty_store(fat_store *st, fat_err *err)
{
  static const char sql[] = "SELECT count(*) FROM guia";
  fat_stmt *s;
  int64_t n = 0;
  fat_rc rc = fat_store_prepare(st, sql, &s, err);

  if (rc != FAT_OK)
    return rc;
  if (fat_stmt_step(s) == FAT_ROW)
    n = fat_col_int64(s, 0);
  fat_stmt_reset(s);
  if (n > 0)
    return fat_err_set(err, FAT_ESTATE,
                       "o banco já tem %lld guias: rode a demonstração em uma pasta vazia (ou "
                       "use --db com um arquivo novo)",
                       (long long)n);
  return FAT_OK;
}

/* demo_defeito belongs to the demo, not to the production schema (migration
** 017 drops it there): the demo creates it in the store it fills. */
static fat_rc defect_table(fat_store *st, fat_err *err)
{
  static const char ddl[] =
      "CREATE TABLE IF NOT EXISTS demo_defeito ("
      " guia_id INTEGER NOT NULL REFERENCES guia(id) ON DELETE CASCADE,"
      " classe TEXT NOT NULL, detalhe TEXT, PRIMARY KEY (guia_id, classe))";

  return fat_store_exec(st, ddl, err);
}

/* Base guias generated, written and forgotten per chunk: memory stays flat in
** the number of guias. Each chunk gets its share of every defect class and of
** the extra (copied) guias, drawn among its own guias. */
#define DEMO_CHUNK 2000

static void free_chunk(gen *G)
{
  int i;

  for (i = 0; i < G->ng; i++)
    fat_guia_free(G->gs[i].g);
  G->ng = 0;
}

/* Up to `want` base guias into G->gs (an internação and its honorários count
** two and stay in the same chunk). */
static void make_chunk(gen *G, int want)
{
  while (G->ng < want && !G->oom) {
    int r = rint_(&G->r, 0, 99), bi = 0;
    fat_guia *g = NULL, *h = NULL;
    meta *m;

    if (r < 44)
      g = make_consulta(G, &bi);
    else if (r < 88 || G->ng + 2 > want)
      g = make_sadt(G, &bi);
    else
      g = make_internacao(G, &bi, &h);
    if (g == NULL)
      continue;
    m = new_meta(G);
    if (m == NULL) {
      fat_guia_free(g);
      fat_guia_free(h);
      return;
    }
    m->g = g;
    m->benef = bi;
    m->male = benef_at(G, bi)->sexo[0] == 'M';
    for (m->op = 0; m->op < 3 && strcmp(OPS[m->op].registro, g->operadora.registro_ans) != 0;
         m->op++)
      ;
    if (h != NULL) {
      meta *mh = new_meta(G);

      if (mh == NULL) {
        fat_guia_free(h);
        return;
      }
      m = &G->gs[G->ng - 2]; /* the realloc may have moved it */
      *mh = *m;
      mh->g = h;
      mh->internacao_de = G->ng - 2;
    }
  }
}

static fat_rc generate(gen *G, const fat_demo_opcoes *op, fat_demo_resumo *res, fat_err *err)
{
  int n_extra_dup = count_target(op->n_guias), n_extra_ret = count_target(op->n_guias);
  int n_base = op->n_guias - n_extra_dup - n_extra_ret, k = count_target(op->n_guias);
  int got[FAT_DEMO_N_CLASSES], got_dup = 0, got_ret = 0, done = 0, i;
  int64_t t0 = fat_now_ns();
  fat_rc rc;

  memset(got, 0, sizeof got);
  rc = cadastro(G, res, err);
  if (rc != FAT_OK)
    return rc;
  res->ns_cadastro = fat_now_ns() - t0;
  /* the guias are saved as an import saves them: operadora and prestador
  ** resolved once, the people already written remembered (same rows) */
  rc = fat_prestador_id(G->st, G->cnpj, NULL, &G->prest_id, err);
  if (rc == FAT_OK)
    rc = fat_guia_saver_new(&G->sv, err);
  if (rc != FAT_OK)
    return rc;
  fat_guia_saver_bulk(G->sv); /* finished after the last guia */
  t0 = fat_now_ns();
  while (done < n_base) {
    int want = n_base - done < DEMO_CHUNK ? n_base - done : DEMO_CHUNK;

    make_chunk(G, want);
    if (G->oom)
      return fat_err_oom(err);
    done += G->ng;
    assign_defects(G, k, done, n_base, got);
    for (i = 0; i < G->ng; i++) {
      char detail[256] = "";
      meta *m = &G->gs[i];

      if (m->classe >= 0)
        defect_before(G, m, detail, sizeof detail);
      rc = finish_guia(G, m, detail, res, err);
      if (rc != FAT_OK)
        return rc;
    }
    rc = extra_guias(G, D_DUPLICIDADE, due(n_extra_dup, done, n_base), &got_dup, res, err);
    if (rc == FAT_OK)
      rc = extra_guias(G, D_CONSULTA_RETORNO, due(n_extra_ret, done, n_base), &got_ret, res,
                       err);
    if (rc != FAT_OK)
      return rc;
    free_chunk(G);
  }
  rc = fat_guia_saver_finish(G->sv, G->st, err);
  if (rc != FAT_OK)
    return rc;
  res->n_beneficiarios += G->extra_benef;
  res->ns_guias = fat_now_ns() - t0;
  {
    char det[128];

    snprintf(det, sizeof det, "%d guias, %d com defeito injetado, semente %llu, competência %s",
             res->n_guias, res->n_com_defeito, (unsigned long long)op->semente, G->comp);
    return fat_store_audit(G->st, "demo.gerar", NULL, det, err);
  }
}

fat_rc fat_demo_gerar(fat_store *st, fat_pricer *p, const fat_demo_opcoes *op,
                      fat_demo_resumo *res, fat_err *err)
{
  gen G;
  char primeiro[FAT_DIA_ISO_LEN];
  int32_t dia0;
  int y, m, i;
  fat_rc rc;

  memset(res, 0, sizeof *res);
  if (!fat_dia_competencia_valida(op->competencia))
    return fat_err_set(err, FAT_EINVAL, "competência '%s' inválida (use MM/AAAA ou AAAA-MM)",
                       op->competencia != NULL ? op->competencia : "");
  snprintf(primeiro, sizeof primeiro, "%s-01", op->competencia);
  if (fat_dia_parse(primeiro, &dia0) != 0)
    return fat_err_set(err, FAT_EINVAL, "competência '%s' inválida", op->competencia);
  fat_dia_to_ymd(dia0, &y, &m, &i);
  if (op->n_guias < 100 || op->n_guias > FAT_DEMO_MAX_GUIAS)
    return fat_err_set(err, FAT_EINVAL, "número de guias deve ficar entre 100 e %d",
                       FAT_DEMO_MAX_GUIAS);
  memset(&G, 0, sizeof G);
  G.st = st;
  G.p = p;
  G.y = y;
  G.m = m;
  G.ndays = fat_dia_mes_dias(y, m);
  G.dia0 = fat_dia_from_ymd(y, m, 1);
  snprintf(G.comp, sizeof G.comp, "%04d-%02d", y, m);
  G.r.s = mix(op->semente ? op->semente : 1, (uint64_t)(y * 100 + m));
  G.pool_seed = mix(G.r.s, 0x706f6f6cull);
  G.cur_i = -1;
  G.npool = op->n_beneficiarios > 0 ? op->n_beneficiarios : fat_demo_beneficiarios(op->n_guias);
  if (kset_init(&G.triples, (uint64_t)op->n_guias * 4) != 0 ||
      kset_init(&G.pairs, (uint64_t)op->n_guias) != 0) {
    fat_free(G.triples.v);
    fat_free(G.pairs.v);
    return fat_err_oom(err);
  }
  rc = fat_store_begin(st, err);
  if (rc != FAT_OK)
    return rc;
  rc = empty_store(st, err);
  if (rc == FAT_OK)
    rc = defect_table(st, err);
  if (rc == FAT_OK)
    rc = generate(&G, op, res, err);
  if (rc == FAT_OK)
    rc = fat_store_commit(st, err);
  else
    fat_store_rollback(st);
  free_chunk(&G);
  fat_guia_saver_free(G.sv);
  fat_free(G.gs);
  fat_free(G.triples.v);
  fat_free(G.pairs.v);
  return rc;
}

fat_rc fat_demo_dados(fat_store *st, fat_pricer *p, const char *regras_dir,
                      const fat_demo_opcoes *op, long *linhas, fat_demo_resumo *res,
                      int64_t *ns_tabelas, fat_err *err)
{
  int64_t t0 = fat_now_ns();
  fat_rc rc, rc2;

  memset(res, 0, sizeof *res);
  rc = fat_store_set_paginas_mb(st, FAT_DEMO_PAGINAS_MB, err);
  if (rc != FAT_OK)
    return rc;
  /* statement journals in memory: once one passed 120 KiB (the tables) every
  ** later guia's went to a temporary file, ~50 KB of write() per guia (5 GB
  ** at 100k guias, FAT_DEMO_IO). The store is empty when the step begins,
  ** so they hold almost nothing: SQLite journals only pages that existed
  ** before the transaction. */
  rc = fat_store_begin_bulk(st, err);
  if (rc == FAT_OK) {
    rc = fat_demo_tabelas(st, regras_dir, linhas, err);
    if (ns_tabelas != NULL)
      *ns_tabelas = fat_now_ns() - t0;
    if (rc == FAT_OK)
      rc = fat_demo_gerar(st, p, op, res, err);
    if (rc == FAT_OK)
      rc = fat_store_commit(st, err);
    else
      fat_store_rollback(st);
  }
  /* the cache shrinks now that its pages are clean (the commit wrote them) */
  rc2 = fat_store_set_paginas_mb(st, FAT_STORE_PAGINAS_MB, rc == FAT_OK ? err : NULL);
  fat_mem_devolver();
  return rc == FAT_OK ? rc2 : rc;
}

fat_rc fat_demo_conferir_precos(fat_store *st, fat_pricer *p, fat_price_todos *t,
                                size_t *inesperados, fat_err *err)
{
  static const char sql[] = "SELECT count(*) FROM demo_defeito WHERE guia_id = ?1 AND classe = ?2";
  size_t i;
  fat_rc rc;

  *inesperados = 0;
  rc = fat_price_conferir_todos(p, t, err);
  if (rc != FAT_OK)
    return rc;
  for (i = 0; i < t->n_sem_preco + t->n_divergentes; i++) {
    int sem = i < t->n_sem_preco;
    const fat_price_todos_item *e = sem ? &t->sem_preco[i] : &t->divergentes[i - t->n_sem_preco];
    static const char *const ok_div[] = {"PRECO_ACIMA_CONTRATO", "QUANTIDADE_INVALIDA",
                                         "TOTAL_DIVERGENTE", NULL};
    int k, found = 0;

    for (k = 0; (sem ? k < 1 : ok_div[k] != NULL) && !found; k++) {
      fat_stmt *s;

      rc = fat_store_prepare(st, sql, &s, err);
      if (rc != FAT_OK)
        return rc;
      fat_bind_int(s, 1, e->guia_id);
      fat_bind_text(s, 2, sem ? "CODIGO_INVALIDO" : ok_div[k]);
      if (fat_stmt_step(s) == FAT_ROW && fat_col_int(s, 0) > 0)
        found = 1;
      fat_stmt_reset(s);
    }
    if (!found)
      (*inesperados)++;
  }
  return FAT_OK;
}
