// The one registry of Systole's variation points (DRAM models, register-level dataflows, and the
// seams to come): named factories of one interface, in registration order.
//
// Contract:
//   - add(name, factory): a name is registered once; a second add of it is InternalError (two
//     variants claiming one name is a bug).
//   - make(name, args...): a fresh object from the factory. An unknown name is UnknownVariant, a
//     UserError (exit 2) whose message is the same for every registry:
//       unknown <what> 'NAME'; registered: a, b, c
//   - names(): the registered names in registration order (what docs and error messages list).
//
// Registration goes through an explicit list per registry (an X-macro in the variants' folder,
// e.g. src/rtl/impl/dataflow_list.h): the components are static libraries, and the linker drops
// an object file nothing refers to, with any self-registering static object in it. A variant is
// therefore its file plus one line in that list.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "systole/common/error.h"

namespace systole {

// An unknown variant name; what() lists the registered ones.
class UnknownVariant : public UserError {
 public:
  UnknownVariant(const std::string& what, const std::string& name,
                 const std::vector<std::string>& registered);
};

template <typename Interface, typename... Args>
class Registry {
 public:
  using Factory = std::function<std::unique_ptr<Interface>(Args...)>;

  // `what` names the variation point in errors, e.g. "DRAM model".
  explicit Registry(std::string what) : m_what(std::move(what)) {}

  void add(const std::string& name, Factory factory) {
    if (find(name) != nullptr) throw InternalError(m_what + " '" + name + "' registered twice");
    m_entries.push_back({name, std::move(factory)});
  }

  bool contains(const std::string& name) const { return find(name) != nullptr; }

  std::unique_ptr<Interface> make(const std::string& name, Args... args) const {
    const Entry* e = find(name);
    if (e == nullptr) throw UnknownVariant(m_what, name, names());
    return e->factory(std::forward<Args>(args)...);
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    out.reserve(m_entries.size());
    for (const Entry& e : m_entries) out.push_back(e.name);
    return out;
  }

  const std::string& what() const { return m_what; }

 private:
  struct Entry {
    std::string name;
    Factory factory;
  };
  const Entry* find(const std::string& name) const {
    for (const Entry& e : m_entries) {
      if (e.name == name) return &e;
    }
    return nullptr;
  }

  std::string m_what;
  std::vector<Entry> m_entries;
};

// A registry of stateless variants: each is made once, when it is added, and that one object is
// shared by every user (the operators behind layer kinds: one object serves every layer of its
// kind). Names, duplicates and unknown names behave as in Registry.
template <typename Interface>
class SharedRegistry {
 public:
  using Factory = typename Registry<Interface>::Factory;

  explicit SharedRegistry(std::string what) : m_registry(std::move(what)) {}

  void add(const std::string& name, Factory factory) {
    m_registry.add(name, std::move(factory));
    m_shared.push_back(m_registry.make(name));
    m_names.push_back(name);
  }

  bool contains(const std::string& name) const { return m_registry.contains(name); }
  bool empty() const { return m_shared.empty(); }

  // The shared object; UnknownVariant for a name never added.
  const Interface& get(const std::string& name) const {
    const Interface* v = find(name);
    if (v == nullptr) throw UnknownVariant(m_registry.what(), name, names());
    return *v;
  }
  const Interface* find(const std::string& name) const {
    for (size_t i = 0; i < m_names.size(); ++i) {
      if (m_names[i] == name) return m_shared[i].get();
    }
    return nullptr;
  }

  const std::vector<std::string>& names() const { return m_names; }
  const std::string& what() const { return m_registry.what(); }

 private:
  Registry<Interface> m_registry;
  std::vector<std::unique_ptr<Interface>> m_shared;  // registration order
  std::vector<std::string> m_names;                  // m_shared[i] is named m_names[i]
};

}  // namespace systole
