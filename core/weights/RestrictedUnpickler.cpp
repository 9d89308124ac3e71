#include "weights/RestrictedUnpickler.h"

#include "util/Error.h"

#include <cstring>
#include <map>
#include <set>

namespace cprecon {

const char *pyKindName(PyValue::Kind k)
{
    switch (k) {
    case PyValue::Kind::None: return "None";
    case PyValue::Kind::Bool: return "bool";
    case PyValue::Kind::Int: return "int";
    case PyValue::Kind::Float: return "float";
    case PyValue::Kind::String: return "str";
    case PyValue::Kind::Bytes: return "bytes";
    case PyValue::Kind::Tuple: return "tuple";
    case PyValue::Kind::List: return "list";
    case PyValue::Kind::Dict: return "dict";
    case PyValue::Kind::Global: return "global";
    case PyValue::Kind::Storage: return "storage";
    case PyValue::Kind::Tensor: return "tensor";
    }
    return "?";
}

namespace {

struct StorageClass {
    const char *name;
    DType dtype;
};
constexpr StorageClass kStorages[] = {
    {"FloatStorage", DType::F32}, {"HalfStorage", DType::F16}, {"BFloat16Storage", DType::BF16},
    {"DoubleStorage", DType::F64}, {"LongStorage", DType::I64}, {"IntStorage", DType::I32},
    {"ShortStorage", DType::I16}, {"CharStorage", DType::I8},   {"ByteStorage", DType::U8},
    {"BoolStorage", DType::BOOL},
};

class Unpickler {
public:
    Unpickler(const uint8_t *d, size_t n, std::string source) : m_d(d), m_n(n), m_source(std::move(source)) {}

    size_t position() const { return m_p; }

    PyRef run()
    {
        while (true) {
            const uint8_t op = byte();
            switch (op) {
            case 0x80: byte(); break;                     // PROTO
            case 0x95: take(8); break;                    // FRAME (framing is irrelevant to a linear reader)
            case '.': return pop();                       // STOP
            case '(': m_marks.push_back(m_stack.size()); break; // MARK
            case '}': push(make(PyValue::Kind::Dict)); break;  // EMPTY_DICT
            case ']': push(make(PyValue::Kind::List)); break;  // EMPTY_LIST
            case ')': push(make(PyValue::Kind::Tuple)); break; // EMPTY_TUPLE
            case 'N': push(make(PyValue::Kind::None)); break;
            case 0x88: push(boolean(true)); break;  // NEWTRUE
            case 0x89: push(boolean(false)); break; // NEWFALSE
            case 'K': push(integer(byte())); break; // BININT1
            case 'M': push(integer(le<uint16_t>())); break; // BININT2
            case 'J': push(integer(le<int32_t>())); break;  // BININT
            case 0x8a: push(integer(long1())); break;       // LONG1
            case 'G': push(floating()); break;              // BINFLOAT (big-endian double)
            case 'X': push(string(le<uint32_t>(), PyValue::Kind::String)); break; // BINUNICODE
            case 0x8c: push(string(byte(), PyValue::Kind::String)); break;        // SHORT_BINUNICODE
            case 0x8d: push(string(checkedSize(le<uint64_t>()), PyValue::Kind::String)); break; // BINUNICODE8
            case 'B': push(string(le<uint32_t>(), PyValue::Kind::Bytes)); break;  // BINBYTES
            case 'C': push(string(byte(), PyValue::Kind::Bytes)); break;          // SHORT_BINBYTES
            case 'q': memo(byte()); break;             // BINPUT
            case 'r': memo(le<uint32_t>()); break;     // LONG_BINPUT
            case 0x94: memo(m_memo.size()); break;     // MEMOIZE
            case 'h': push(recall(byte())); break;     // BINGET
            case 'j': push(recall(le<uint32_t>())); break; // LONG_BINGET
            case 't': push(tuple(popMark())); break;   // TUPLE
            case 0x85: push(tuple(popN(1))); break;    // TUPLE1
            case 0x86: push(tuple(popN(2))); break;    // TUPLE2
            case 0x87: push(tuple(popN(3))); break;    // TUPLE3
            case 'a': {                                // APPEND
                auto v = pop();
                auto l = expect(top(), PyValue::Kind::List, "APPEND");
                refuseCycle(l, v);
                l->items.push_back(v);
                break;
            }
            case 'e': {                                // APPENDS
                auto vs = popMark();
                auto list = expect(top(), PyValue::Kind::List, "APPENDS");
                for (const PyRef &v : vs) refuseCycle(list, v);
                list->items.insert(list->items.end(), vs.begin(), vs.end());
                break;
            }
            case 's': {                                // SETITEM
                auto v = pop();
                auto k = pop();
                auto d = expect(top(), PyValue::Kind::Dict, "SETITEM");
                refuseCycle(d, k);
                refuseCycle(d, v);
                d->dict.emplace_back(k, v);
                break;
            }
            case 'u': {                                // SETITEMS
                auto kv = popMark();
                if (kv.size() % 2) fail("SETITEMS with an odd number of items");
                auto d = expect(top(), PyValue::Kind::Dict, "SETITEMS");
                for (const PyRef &v : kv) refuseCycle(d, v);
                for (size_t i = 0; i < kv.size(); i += 2) d->dict.emplace_back(kv[i], kv[i + 1]);
                break;
            }
            case 'c': {                                    // GLOBAL
                const std::string module = line();
                const std::string name = line();
                push(global(module, name));
                break;
            }
            case 0x93: {                                   // STACK_GLOBAL
                auto name = pop(), module = pop();
                if (name->kind != PyValue::Kind::String || module->kind != PyValue::Kind::String)
                    fail("STACK_GLOBAL needs two strings");
                push(global(module->s, name->s));
                break;
            }
            case 'Q': push(persistent(pop())); break; // BINPERSID
            case 'R': {                               // REDUCE
                auto args = pop();
                auto fn = pop();
                push(reduce(fn, args));
                break;
            }
            case 'b': pop(); break; // BUILD: state of an OrderedDict (its _metadata) - not needed, dropped
            default: {
                char buf[8];
                std::snprintf(buf, sizeof buf, "0x%02x", op);
                fail(std::string("unsupported pickle opcode ") + buf + " at byte " + std::to_string(m_p - 1) +
                     " (only plain state dicts of tensors are read; nothing in the file is executed)");
            }
            }
        }
    }

private:
    [[noreturn]] void fail(const std::string &what) const
    {
        throw Error("cannot read checkpoint pickle: " + what, m_source,
                    "save a plain state dict: torch.save(model.state_dict(), path), or convert to .safetensors");
    }
    uint8_t byte()
    {
        if (m_p >= m_n) fail("unexpected end of data");
        return m_d[m_p++];
    }
    const uint8_t *take(size_t k)
    {
        if (k > m_n - m_p) fail("unexpected end of data");
        const uint8_t *q = m_d + m_p;
        m_p += k;
        return q;
    }
    template <typename T> T le()
    {
        T v;
        std::memcpy(&v, take(sizeof(T)), sizeof(T));
        return v;
    }
    size_t checkedSize(uint64_t v)
    {
        if (v > m_n) fail("string longer than the file");
        return static_cast<size_t>(v);
    }
    int64_t long1()
    {
        const uint8_t k = byte();
        if (k > 8) fail("integer wider than 64 bits");
        const uint8_t *q = take(k);
        uint64_t v = 0;
        for (int i = 0; i < k; ++i) v |= uint64_t(q[i]) << (8 * i);
        if (k > 0 && k < 8 && (q[k - 1] & 0x80)) v |= ~uint64_t(0) << (8 * k); // sign-extend
        return static_cast<int64_t>(v);
    }
    std::string line()
    {
        std::string s;
        while (true) {
            const char c = static_cast<char>(byte());
            if (c == '\n') return s;
            s += c;
            if (s.size() > 256) fail("GLOBAL name too long");
        }
    }
    static PyRef make(PyValue::Kind k)
    {
        auto v = std::make_shared<PyValue>();
        v->kind = k;
        return v;
    }
    static PyRef boolean(bool b)
    {
        auto v = make(PyValue::Kind::Bool);
        v->b = b;
        return v;
    }
    static PyRef integer(int64_t i)
    {
        auto v = make(PyValue::Kind::Int);
        v->i = i;
        return v;
    }
    PyRef floating()
    {
        const uint8_t *q = take(8);
        uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits = (bits << 8) | q[i];
        auto v = make(PyValue::Kind::Float);
        std::memcpy(&v->f, &bits, 8);
        return v;
    }
    PyRef string(size_t len, PyValue::Kind k)
    {
        auto v = make(k);
        const uint8_t *q = take(len);
        v->s.assign(reinterpret_cast<const char *>(q), len);
        return v;
    }
    static PyRef tuple(std::vector<PyRef> items)
    {
        auto v = make(PyValue::Kind::Tuple);
        v->items = std::move(items);
        return v;
    }
    void push(PyRef v) { m_stack.push_back(std::move(v)); }
    PyRef pop()
    {
        if (m_stack.empty() || (!m_marks.empty() && m_stack.size() <= m_marks.back())) fail("stack underflow");
        auto v = m_stack.back();
        m_stack.pop_back();
        return v;
    }
    PyRef top()
    {
        if (m_stack.empty()) fail("stack underflow");
        return m_stack.back();
    }
    std::vector<PyRef> popN(size_t k)
    {
        std::vector<PyRef> out(k);
        for (size_t i = k; i-- > 0;) out[i] = pop();
        return out;
    }
    std::vector<PyRef> popMark()
    {
        if (m_marks.empty()) fail("missing MARK");
        const size_t m = m_marks.back();
        m_marks.pop_back();
        std::vector<PyRef> out(m_stack.begin() + static_cast<std::ptrdiff_t>(m), m_stack.end());
        m_stack.resize(m);
        return out;
    }
    void memo(size_t idx) { m_memo[idx] = top(); }

    // A container may not end up inside itself: state dicts never do, and the values are reference-counted, so a
    // cycle (a crafted file appending a list to itself through the memo) would never be freed. Found by fuzzing.
    void refuseCycle(const PyRef &container, const PyRef &child)
    {
        std::vector<const PyValue *> todo{child.get()};
        std::set<const PyValue *> seen;
        while (!todo.empty()) {
            const PyValue *v = todo.back();
            todo.pop_back();
            if (!v || !seen.insert(v).second) continue;
            if (v == container.get()) fail("the pickle puts a container inside itself (a cycle)");
            for (const PyRef &i : v->items) todo.push_back(i.get());
            for (const auto &[k, x] : v->dict) {
                todo.push_back(k.get());
                todo.push_back(x.get());
            }
        }
    }
    PyRef recall(size_t idx)
    {
        auto it = m_memo.find(idx);
        if (it == m_memo.end()) fail("memo entry " + std::to_string(idx) + " used before it was stored");
        return it->second;
    }
    PyRef expect(const PyRef &v, PyValue::Kind k, const char *op)
    {
        if (v->kind != k) fail(std::string(op) + " on a " + pyKindName(v->kind));
        return v;
    }
    PyRef global(const std::string &module, const std::string &name)
    {
        const std::string full = module + "." + name;
        auto g = make(PyValue::Kind::Global);
        g->s = full;
        if (full == "collections.OrderedDict" || full == "torch._utils._rebuild_tensor_v2" ||
            full == "torch._utils._rebuild_parameter")
            return g;
        if (module == "torch")
            for (const auto &sc : kStorages)
                if (name == sc.name) {
                    g->dtype = sc.dtype;
                    return g;
                }
        fail("refusing the Python global '" + full +
             "' (only collections.OrderedDict, torch._utils._rebuild_tensor_v2/_rebuild_parameter and "
             "torch.*Storage are allowed; nothing in the file is executed)");
    }
    PyRef persistent(const PyRef &pid)
    {
        // ('storage', <torch.XStorage>, key, location, numel) — zip files;
        // ('storage', <torch.XStorage>, root_key, location, numel, view_metadata) — legacy files
        if (pid->kind == PyValue::Kind::Tuple && pid->items.size() >= 6 && pid->items[5]->kind != PyValue::Kind::None)
            fail("legacy storage views are not supported (re-save with torch>=1.6: torch.save(torch.load(p), p2))");
        if (pid->kind != PyValue::Kind::Tuple || pid->items.size() < 5 || pid->items[0]->kind != PyValue::Kind::String ||
            pid->items[0]->s != "storage" || pid->items[1]->kind != PyValue::Kind::Global ||
            pid->items[2]->kind != PyValue::Kind::String)
            fail("unsupported persistent id (expected a torch storage reference)");
        if (pid->items[1]->s.rfind("torch.", 0) != 0 || pid->items[1]->s.find("Storage") == std::string::npos)
            fail("persistent id names '" + pid->items[1]->s + "', not a storage class");
        auto st = make(PyValue::Kind::Storage);
        st->s = pid->items[2]->s;
        st->dtype = pid->items[1]->dtype;
        return st;
    }
    std::vector<int64_t> ints(const PyRef &t, const char *what)
    {
        if (t->kind != PyValue::Kind::Tuple) fail(std::string(what) + " is not a tuple");
        std::vector<int64_t> out;
        for (const auto &x : t->items) {
            if (x->kind != PyValue::Kind::Int) fail(std::string(what) + " holds a non-integer");
            out.push_back(x->i);
        }
        return out;
    }
    PyRef reduce(const PyRef &fn, const PyRef &args)
    {
        if (fn->kind != PyValue::Kind::Global) fail("REDUCE on a non-callable " + std::string(pyKindName(fn->kind)));
        if (args->kind != PyValue::Kind::Tuple) fail("REDUCE arguments are not a tuple");
        const auto &a = args->items;
        if (fn->s == "collections.OrderedDict") {
            if (!a.empty()) fail("OrderedDict built from arguments is not supported");
            return make(PyValue::Kind::Dict);
        }
        if (fn->s == "torch._utils._rebuild_tensor_v2") {
            // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            if (a.size() < 4 || a[0]->kind != PyValue::Kind::Storage || a[1]->kind != PyValue::Kind::Int)
                fail("malformed _rebuild_tensor_v2 arguments");
            auto t = make(PyValue::Kind::Tensor);
            t->tensor.storageKey = a[0]->s;
            t->tensor.dtype = a[0]->dtype;
            t->tensor.storageOffset = a[1]->i;
            t->tensor.shape = ints(a[2], "tensor size");
            t->tensor.stride = ints(a[3], "tensor stride");
            if (t->tensor.shape.size() != t->tensor.stride.size()) fail("tensor size and stride differ in rank");
            return t;
        }
        if (fn->s == "torch._utils._rebuild_parameter") {
            // (data, requires_grad, backward_hooks): a Parameter is its tensor here
            if (a.empty() || a[0]->kind != PyValue::Kind::Tensor) fail("malformed _rebuild_parameter arguments");
            return a[0];
        }
        fail("REDUCE on '" + fn->s + "' is not supported");
    }

    const uint8_t *m_d;
    size_t m_n;
    size_t m_p = 0;
    std::string m_source;
    std::vector<PyRef> m_stack;
    std::vector<size_t> m_marks;
    std::map<size_t, PyRef> m_memo;
};

} // namespace

PyRef unpickleRestricted(const uint8_t *data, size_t size, const std::string &source, size_t *consumed)
{
    Unpickler u(data, size, source);
    PyRef v = u.run();
    if (consumed) *consumed = u.position();
    return v;
}

} // namespace cprecon
