"""Token embeddings for code and intents: word2vec (gensim) and a compact GloVe (torch)."""
