
# ---- model (TopicClassifier core; owner: src/bindings/model.rs) ----------------------------
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

_Docs = Union[List[str], Tuple[str, np.ndarray, np.ndarray, Optional[int]]]

class TopicModel:
    @staticmethod
    def fit(
        docs: _Docs,
        y: Union[List[int], List[List[int]]],
        multilabel: bool,
        classes: List[str],
        vectorizer_params: Dict[str, Any],
        linear_params: Dict[str, Any],
        n_jobs: Optional[int] = None,
    ) -> "TopicModel": ...
    @property
    def classes(self) -> List[str]: ...
    @property
    def multilabel(self) -> bool: ...
    @property
    def n_features(self) -> int: ...
    @property
    def n_outputs(self) -> int: ...
    @property
    def n_documents(self) -> int: ...
    @property
    def fit_seconds(self) -> float: ...
    @property
    def converged(self) -> bool: ...
    @property
    def n_iter(self) -> int: ...
    @property
    def has_proba(self) -> bool: ...
    def decision_function(self, docs: _Docs, n_jobs: Optional[int] = None) -> np.ndarray: ...
    def predict_proba(self, docs: _Docs, n_jobs: Optional[int] = None) -> np.ndarray: ...
    def predict(
        self, docs: _Docs, threshold: float, allow_empty: bool, n_jobs: Optional[int] = None
    ) -> Union[np.ndarray, Tuple[np.ndarray, np.ndarray]]: ...
    def predict_top(
        self, docs: _Docs, k: int, n_jobs: Optional[int] = None
    ) -> Tuple[np.ndarray, np.ndarray]: ...
    def explain(
        self, text: str, class_index: int
    ) -> Tuple[List[Tuple[str, float, float, float]], float, float, Dict[str, List[Tuple[int, int]]]]: ...
    def top_terms(
        self, class_index: int, n: int
    ) -> Tuple[List[Tuple[str, float]], List[Tuple[str, float]]]: ...
    def evaluate(
        self,
        docs: _Docs,
        y: Union[List[int], List[List[int]]],
        multilabel: bool,
        threshold: float,
        allow_empty: bool,
        n_jobs: Optional[int] = None,
    ) -> Dict[str, Any]: ...
    def to_bytes(self, metadata: str, prune: Optional[float] = None) -> bytes: ...
    @staticmethod
    def from_bytes(data: bytes) -> Tuple["TopicModel", str]: ...

def classification_report(
    y_true: Union[List[int], List[List[int]]],
    y_pred: Union[List[int], List[List[int]]],
    n_classes: int,
    multilabel: bool,
) -> Dict[str, Any]: ...
def stratified_folds(
    y: Union[List[int], List[List[int]]], n_classes: int, k: int, seed: int, multilabel: bool
) -> List[int]: ...
def peek_header(data: bytes) -> Tuple[str, int, str, str]: ...
# ---- end model ------------------------------------------------------------------------------
